/* fuzz_control.c — libFuzzer target for the control socket's line parser
 * (control_parse in src/cli/control.c), which reads whatever a client of a
 * run's socket sends. The input is cut at newlines as the server cuts it;
 * each line must parse into a command whose numbers lie in the dashboard's
 * ranges, or give exactly one reply line ("ok ..." or "error ...") that is
 * printable ASCII.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cli/control.h" /* src/cli is not on the include path */
#include "fuzz_util.h"

static void check_line(const char *line, size_t len)
{
    ControlCmd c;
    char reply[CONTROL_REPLY_MAX];
    memset(reply, 0x55, sizeof reply);
    if (control_parse(line, len, &c, reply, sizeof reply - 1)) {
        if (c.kind <= CTL_NONE || c.kind > CTL_STATUS)
            abort();
        if (c.kind == CTL_STEP && (c.n < 1 || c.n > 1000000000L))
            abort();
        if (c.kind == CTL_LR && !isnan(c.value) && !(c.value >= 1e-12 && c.value <= 1e3))
            abort();
        if (c.kind == CTL_CLIP && !isnan(c.value) && !(c.value >= 0 && c.value <= 1e9))
            abort();
        return;
    }
    size_t n = strnlen(reply, sizeof reply);
    if (n == sizeof reply || (strncmp(reply, "ok ", 3) && strncmp(reply, "error ", 6)))
        abort(); /* one terminated reply, "ok" or "error" */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)reply[i] < 0x20 || (unsigned char)reply[i] >= 0x7f)
            abort(); /* a reply is one line of plain text, whatever came in */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size copies, not NUL-terminated: the parser must stay inside len */
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = malloc(len ? len : 1);
        memcpy(line, p, len);
        check_line(line, len);
        free(line);
        p += len + (nl != NULL);
    }
    return 0;
}
