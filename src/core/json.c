/* json.c — strict recursive-descent JSON parser (see json.h).
 *
 * Every read of the input is bounds-checked against len (the text is not
 * NUL-terminated), recursion depth is capped, and a partly built value is
 * always consistent (count says how many items are filled) so an error at
 * any point frees cleanly.
 */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    int depth;
    size_t err_at;
    Err *err;
} JsonParser;

static int json_fail(JsonParser *p, size_t at, const char *what)
{
    p->err_at = at;
    return err_set(p->err, ERR_INPUT, "%s", what);
}

static void json_skip_ws(JsonParser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int json_literal(JsonParser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return json_fail(p, p->pos, "invalid literal (expected true, false or null)");
    p->pos += n;
    return 0;
}

static int json_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — checked here, then
 * converted by strtod on a NUL-terminated copy. strtod follows LC_NUMERIC, so
 * the '.' is swapped for the locale's decimal point (the UI may set a locale). */
static int json_number(JsonParser *p, double *out, int *integer)
{
    size_t start = p->pos, i = p->pos;
    const char *s = p->s;
    size_t len = p->len;
    if (i < len && s[i] == '-')
        i++;
    if (i >= len || !json_is_digit(s[i]))
        return json_fail(p, i, "invalid number: expected a digit");
    if (s[i] == '0') {
        i++;
        if (i < len && json_is_digit(s[i]))
            return json_fail(p, i, "invalid number: leading zero");
    } else {
        while (i < len && json_is_digit(s[i]))
            i++;
    }
    size_t dot = (size_t)-1;
    if (i < len && s[i] == '.') {
        dot = i - start;
        i++;
        if (i >= len || !json_is_digit(s[i]))
            return json_fail(p, i, "invalid number: expected a digit after '.'");
        while (i < len && json_is_digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !json_is_digit(s[i]))
            return json_fail(p, i, "invalid number: expected a digit in the exponent");
        while (i < len && json_is_digit(s[i]))
            i++;
    }
    size_t n = i - start;
    *integer = memchr(s + start, '.', n) == NULL && memchr(s + start, 'e', n) == NULL &&
               memchr(s + start, 'E', n) == NULL;
    const char *point = localeconv()->decimal_point;
    size_t plen = point && point[0] ? strlen(point) : 1;
    char small[64];
    char *buf = n + plen < sizeof small ? small : xmalloc(n + plen + 1);
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == dot && point && point[0]) {
            memcpy(buf + k, point, plen);
            k += plen;
        } else {
            buf[k++] = s[start + j];
        }
    }
    buf[k] = '\0';
    double v = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    if (!isfinite(v))
        return json_fail(p, start, "number out of range");
    *out = v;
    p->pos = i;
    return 0;
}

static int json_hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static size_t json_put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no overlongs,
 * no surrogates, at most U+10FFFF), or 0 if it is malformed. */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need;
}

/* p->pos is at the opening quote. The decoded text is never longer than the
 * raw text, so one allocation of the raw length suffices. */
static int json_string(JsonParser *p, char **out, size_t *out_len)
{
    size_t open = p->pos;
    size_t i = open + 1;
    const char *s = p->s;
    size_t len = p->len;
    size_t end = i;
    while (end < len && s[end] != '"') {
        if (s[end] == '\\')
            end++;
        end++;
    }
    if (end >= len)
        return json_fail(p, open, "unterminated string");
    char *o = xmalloc(end - i + 1);
    size_t k = 0;
    while (i < end) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20) {
            free(o);
            return json_fail(p, i, "control character in string (escape it)");
        }
        if (c >= 0x80) {
            size_t n = json_utf8_len((const unsigned char *)s + i, end - i);
            if (!n) {
                free(o);
                return json_fail(p, i, "invalid UTF-8 in string");
            }
            memcpy(o + k, s + i, n);
            k += n;
            i += n;
            continue;
        }
        if (c != '\\') {
            o[k++] = (char)c;
            i++;
            continue;
        }
        /* i + 1 < end: the scan above never lets a backslash be the last byte before end */
        char e = s[i + 1];
        const char *simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
        const char *m = NULL;
        for (const char *q = simple; *q; q += 2)
            if (*q == e) {
                m = q;
                break;
            }
        if (m) {
            o[k++] = m[1];
            i += 2;
            continue;
        }
        if (e != 'u') {
            free(o);
            return json_fail(p, i, "invalid escape in string");
        }
        unsigned cp;
        if (end - i < 6 || json_hex4(s + i + 2, &cp) != 0) {
            free(o);
            return json_fail(p, i, "invalid \\u escape (expected 4 hex digits)");
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            free(o);
            return json_fail(p, i, "lone low surrogate in \\u escape");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (end - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u' ||
                json_hex4(s + i + 8, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
                free(o);
                return json_fail(p, i, "high surrogate not followed by a low surrogate \\u escape");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        }
        /* \uXXXX is 6 raw bytes and yields at most 3; a pair is 12 raw for 4 */
        k += json_put_utf8(o + k, cp);
        i += 6;
    }
    o[k] = '\0';
    *out = o;
    *out_len = k;
    p->pos = end + 1;
    return 0;
}

static int json_value(JsonParser *p, JsonValue *v);

static int json_array(JsonParser *p, JsonValue *v)
{
    size_t cap = 0;
    v->type = JSON_ARRAY;
    p->pos++;
    json_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return 0;
    }
    for (;;) {
        if (v->count == cap) {
            cap = cap ? cap * 2 : 4;
            v->items = xrealloc(v->items, cap * sizeof *v->items);
        }
        JsonValue *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        v->count++;
        int rc = json_value(p, item);
        if (rc)
            return rc;
        json_skip_ws(p);
        if (p->pos >= p->len)
            return json_fail(p, p->pos, "unexpected end of input in array (expected ',' or ']')");
        char c = p->s[p->pos];
        if (c == ']') {
            p->pos++;
            return 0;
        }
        if (c != ',')
            return json_fail(p, p->pos, "expected ',' or ']' in array");
        p->pos++;
    }
}

static int json_object(JsonParser *p, JsonValue *v)
{
    size_t cap = 0;
    v->type = JSON_OBJECT;
    p->pos++;
    json_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return 0;
    }
    for (;;) {
        json_skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"')
            return json_fail(p, p->pos, "expected a string key in object");
        char *key;
        size_t key_len;
        int rc = json_string(p, &key, &key_len);
        if (rc)
            return rc;
        if (v->count == cap) {
            cap = cap ? cap * 2 : 4;
            v->items = xrealloc(v->items, cap * sizeof *v->items);
            v->keys = xrealloc(v->keys, cap * sizeof *v->keys);
        }
        JsonValue *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        v->keys[v->count] = key;
        v->count++;
        json_skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':')
            return json_fail(p, p->pos, "expected ':' after object key");
        p->pos++;
        rc = json_value(p, item);
        if (rc)
            return rc;
        json_skip_ws(p);
        if (p->pos >= p->len)
            return json_fail(p, p->pos, "unexpected end of input in object (expected ',' or '}')");
        char c = p->s[p->pos];
        if (c == '}') {
            p->pos++;
            return 0;
        }
        if (c != ',')
            return json_fail(p, p->pos, "expected ',' or '}' in object");
        p->pos++;
    }
}

static int json_value(JsonParser *p, JsonValue *v)
{
    json_skip_ws(p);
    if (p->pos >= p->len)
        return json_fail(p, p->pos, "unexpected end of input (expected a value)");
    v->offset = p->pos;
    char c = p->s[p->pos];
    int rc;
    switch (c) {
    case '{':
    case '[':
        if (p->depth >= JSON_MAX_DEPTH)
            return json_fail(p, p->pos, "nesting too deep (more than 64 levels)");
        p->depth++;
        rc = c == '{' ? json_object(p, v) : json_array(p, v);
        p->depth--;
        return rc;
    case '"':
        v->type = JSON_STRING;
        return json_string(p, &v->string, &v->string_len);
    case 't':
        v->type = JSON_BOOL;
        v->boolean = 1;
        return json_literal(p, "true");
    case 'f':
        v->type = JSON_BOOL;
        return json_literal(p, "false");
    case 'n':
        return json_literal(p, "null");
    default:
        if (c == '-' || json_is_digit(c)) {
            v->type = JSON_NUMBER;
            return json_number(p, &v->number, &v->integer);
        }
        return json_fail(p, p->pos, "unexpected character (expected a value)");
    }
}

int json_parse(const char *text, size_t len, JsonValue *out, size_t *err_offset, Err *err)
{
    JsonParser p = {text, len, 0, 0, 0, err};
    memset(out, 0, sizeof *out);
    int rc = json_value(&p, out);
    if (!rc) {
        json_skip_ws(&p);
        if (p.pos < len)
            rc = json_fail(&p, p.pos, "trailing characters after the JSON value");
    }
    if (rc) {
        json_free(out);
        if (err_offset)
            *err_offset = p.err_at;
        return rc;
    }
    return 0;
}

void json_free(JsonValue *v)
{
    if (!v)
        return;
    free(v->string);
    for (size_t i = 0; i < v->count; i++) {
        if (v->items)
            json_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

const JsonValue *json_get(const JsonValue *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}
