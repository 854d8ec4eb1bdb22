/* fuzz_tbreader.c — libFuzzer target for the TensorBoard event-file reader
 * (tbwriter_read, tbwriter.c): TFRecord framing with both CRCs, then the
 * hand-decoded Event / Summary / HistogramProto protobufs. Any file must give
 * events or one ERR_INPUT line. Inputs are fuzzed as they are; the CRCs make
 * most mutations fail early, so seeds.sh also gives files a real run wrote,
 * and half of the inputs (first byte odd) have every record's CRCs recomputed
 * here so the protobuf decoder behind them gets fuzzed too.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_util.h"
#include "tbwriter.h"

static uint32_t masked(const void *p, size_t n)
{
    uint32_t c = tbwriter_crc32c(p, n);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Rewrite the CRCs of every whole record in buf[0..n). */
static void fix_crcs(unsigned char *buf, size_t n)
{
    size_t at = 0;
    while (n - at >= 12) {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--)
            len = len << 8 | buf[at + i];
        put32(buf + at + 8, masked(buf + at, 8));
        if (len > n - at - 12 || n - at - 12 - len < 4)
            break;
        put32(buf + at + 12 + len, masked(buf + at + 12, (size_t)len));
        at += 12 + (size_t)len + 4;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *body = data;
    size_t n = size;
    unsigned char *fixed = NULL;
    if (size > 0 && (data[0] & 1)) {
        n = size - 1;
        fixed = malloc(n ? n : 1);
        memcpy(fixed, data + 1, n);
        fix_crcs(fixed, n);
        body = fixed;
    } else if (size > 0) {
        body = data + 1;
        n = size - 1;
    }
    const char *path = fuzz_tmp_write(body, n, ".tfevents");
    TbEvent *ev = NULL;
    int count = 0;
    Err err;
    if (tbwriter_read(path, &ev, &count, &err) == 0) {
        volatile double sum = 0;
        for (int i = 0; i < count; i++) {
            if (ev[i].n_buckets < 0 || ev[i].n_buckets > DIAG_HIST_MAX_BINS)
                abort();
            if (!memchr(ev[i].tag, 0, sizeof ev[i].tag))
                abort();
            for (int b = 0; b < ev[i].n_buckets; b++)
                sum += ev[i].limit[b] + ev[i].bucket[b];
        }
        (void)sum;
    }
    free(ev);
    free(fixed);
    return 0;
}
