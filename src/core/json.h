/* json.h — a small JSON (RFC 8259) DOM parser.
 *
 * For the safetensors header and checkpoint metadata (the vocabulary is a JSON
 * array of strings stored as a string value). Strict: one value, no comments, no
 * trailing commas, strings must be valid UTF-8, \uXXXX surrogate pairs are
 * joined and lone surrogates rejected, nesting is limited to JSON_MAX_DEPTH so
 * hostile input cannot overflow the stack. Not a serializer: build output with
 * strbuf_append_json_string (strbuf.h).
 */
#ifndef RNNSCOPE_JSON_H
#define RNNSCOPE_JSON_H

#include <stddef.h>

#include "err.h"

#define JSON_MAX_DEPTH 64

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } JsonType;

typedef struct JsonValue JsonValue;
struct JsonValue {
    JsonType type;
    int boolean;
    double number;
    char *string; size_t string_len;   /* decoded UTF-8 (may contain NUL from \u0000), NUL-terminated */
    size_t count; JsonValue *items;    /* array elements or object values */
    char **keys;                       /* object keys (count), decoded, NUL-terminated */
    size_t offset;                     /* byte offset in the parsed text where the value starts */
    int integer;                       /* a number written as an integer: no fraction, no exponent */
};

/* Parse exactly one JSON value (surrounded by optional whitespace) from
 * text[0..len); text need not be NUL-terminated. On error returns ERR_INPUT,
 * sets *err_offset (if non-NULL) to the byte offset of the problem, writes a
 * short reason into err->msg (the caller prefixes the file name) and leaves
 * *out as JSON_NULL (json_free is safe). */
int json_parse(const char *text, size_t len, JsonValue *out, size_t *err_offset, Err *err);
void json_free(JsonValue *v);
/* The value of the first member named key; NULL if absent or obj is not an object. */
const JsonValue *json_get(const JsonValue *obj, const char *key);

#endif
