/* fuzz_json.c — libFuzzer target for the JSON parser (json.c), which reads
 * every safetensors header and the checkpoint's vocabulary. Any bytes must
 * parse or fail with an offset inside the input; a parsed value is walked
 * completely (and looked up by every key) so a malformed DOM shows up.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_util.h"
#include "json.h"

static size_t walk(const JsonValue *v, int depth)
{
    if (depth > JSON_MAX_DEPTH + 1)
        abort(); /* the depth limit held */
    size_t n = 1;
    switch (v->type) {
    case JSON_STRING:
        if (v->string[v->string_len] != '\0')
            abort();
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->count; i++)
            n += walk(&v->items[i], depth + 1);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->count; i++) {
            if (!json_get(v, v->keys[i]))
                abort();
            n += strlen(v->keys[i]) + walk(&v->items[i], depth + 1);
        }
        break;
    default:
        break;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, not NUL-terminated: the parser must stay inside len */
    char *text = malloc(size ? size : 1);
    if (size)
        memcpy(text, data, size);
    JsonValue v;
    size_t at = 0;
    Err err;
    if (json_parse(text, size, &v, &at, &err) == 0)
        walk(&v, 0);
    else if (at > size)
        abort(); /* the error offset lies inside the text */
    json_free(&v);
    free(text);
    return 0;
}
