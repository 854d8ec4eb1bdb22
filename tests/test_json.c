/* test_json.c — the JSON parser and the string buffer.
 *
 * Numbers, escapes, Unicode (surrogate pairs, UTF-8 validation), nesting,
 * byte offsets of errors, the depth limit, trailing garbage, input without a
 * NUL terminator, and strbuf's JSON quoting read back through the parser.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "strbuf.h"

static int parse(const char *text, JsonValue *v, size_t *off, Err *err)
{
    return json_parse(text, strlen(text), v, off, err);
}

static void test_numbers(void)
{
    static const struct {
        const char *text;
        double want;
    } good[] = {
        {"0", 0.0},         {"-0", -0.0},     {"1.5", 1.5},          {"-12.5e-3", -0.0125},
        {"1E+2", 100.0},    {"2e0", 2.0},     {" 42 ", 42.0},        {"9007199254740993", 9007199254740992.0},
        {"1e-320", 1e-320}, {"0.1", 0.1},     {"123456789", 123456789.0},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        JsonValue v;
        Err err;
        int rc = parse(good[i].text, &v, NULL, &err);
        CHECK(rc == 0 && v.type == JSON_NUMBER && v.number == good[i].want &&
                  signbit(v.number) == signbit(good[i].want),
              "number '%s' parses to %.17g", good[i].text, good[i].want);
        json_free(&v);
    }
    static const struct {
        const char *text;
        size_t off;
    } bad[] = {
        {"01", 1}, {"1.", 2}, {".5", 0}, {"-", 1}, {"+1", 0}, {"1e", 2}, {"1e+", 3},
        {"0x10", 1}, {"NaN", 0}, {"Infinity", 0}, {"-Infinity", 1}, {"1e400", 0}, {"[1,-]", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        JsonValue v;
        Err err;
        size_t off = 999;
        int rc = parse(bad[i].text, &v, &off, &err);
        CHECK(rc == ERR_INPUT && off == bad[i].off && v.type == JSON_NULL,
              "bad number '%s' refused at offset %zu (got %zu: %s)", bad[i].text, bad[i].off, off, err.msg);
    }
    /* text without a NUL after it: only len bytes are read */
    char buf[6] = {'1', '2', '3', '4', '5', '6'};
    JsonValue v;
    Err err;
    int rc = json_parse(buf, 3, &v, NULL, &err);
    CHECK(rc == 0 && v.number == 123.0, "parse reads only len bytes of unterminated text (got %g)", v.number);
    rc = json_parse("\"abc", 4, &v, NULL, &err);
    CHECK(rc == ERR_INPUT, "string running to the end of unterminated text is refused");

    /* strtod follows LC_NUMERIC; the parser must not */
    const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8"};
    const char *used = NULL;
    for (size_t i = 0; i < 4 && !used; i++)
        if (setlocale(LC_NUMERIC, locales[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
            used = locales[i];
    if (used) {
        rc = parse("[1.25,-2.5e1]", &v, NULL, &err);
        CHECK(rc == 0 && v.items[0].number == 1.25 && v.items[1].number == -25.0,
              "numbers parse under locale %s with ',' as decimal point", used);
        json_free(&v);
    } else {
        printf("  (no locale with ',' decimal point installed; locale case skipped)\n");
    }
    setlocale(LC_NUMERIC, "C");
}

static void test_literals_and_strings(void)
{
    JsonValue v;
    Err err;
    size_t off;
    int rc = parse("[true,false,null]", &v, NULL, &err);
    CHECK(rc == 0 && v.count == 3 && v.items[0].type == JSON_BOOL && v.items[0].boolean == 1 &&
              v.items[1].type == JSON_BOOL && v.items[1].boolean == 0 && v.items[2].type == JSON_NULL,
          "literals true, false, null");
    json_free(&v);
    rc = parse("tru", &v, &off, &err);
    CHECK(rc == ERR_INPUT && off == 0, "truncated literal 'tru' refused at 0");
    rc = parse("[nulL]", &v, &off, &err);
    CHECK(rc == ERR_INPUT && off == 1, "misspelt literal 'nulL' refused at 1 (got %zu)", off);

    rc = parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"", &v, NULL, &err);
    CHECK(rc == 0 && v.type == JSON_STRING && v.string_len == 14 && memcmp(v.string, "q\" b\\ s/ \b\f\n\r\t", 15) == 0,
          "simple escapes decode (%s)", rc ? err.msg : "ok");
    json_free(&v);
    rc = parse("\"\\u00e9\\u4E2D\\ud83d\\ude00\"", &v, NULL, &err);
    CHECK(rc == 0 && strcmp(v.string, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80") == 0 && v.string_len == 9,
          "\\u escapes: 2-byte, 3-byte and a surrogate pair to 4-byte UTF-8");
    json_free(&v);
    rc = parse("\"a\\u0000b\"", &v, NULL, &err);
    CHECK(rc == 0 && v.string_len == 3 && memcmp(v.string, "a\0b", 4) == 0, "\\u0000 kept with string_len 3");
    json_free(&v);
    rc = parse("\"\xe5\xbe\xaa\xe7\x8e\xaf \xf0\x9f\x98\x80\"", &v, NULL, &err);
    CHECK(rc == 0 && strcmp(v.string, "\xe5\xbe\xaa\xe7\x8e\xaf \xf0\x9f\x98\x80") == 0,
          "raw UTF-8 (Chinese, emoji) passes through");
    json_free(&v);

    static const struct {
        const char *text;
        size_t off;
        const char *word;
    } bad[] = {
        {"\"abc", 0, "unterminated"},
        {"\"ab\\", 0, "unterminated"},
        {"\"a\\xb\"", 2, "invalid escape"},
        {"\"a\\u12\"", 2, "4 hex digits"},
        {"\"a\\u12g4\"", 2, "4 hex digits"},
        {"\"\\ud83d\"", 1, "low surrogate"},
        {"\"\\ud83d\\u0041\"", 1, "low surrogate"},
        {"\"\\ude00\"", 1, "lone low surrogate"},
        {"\"a\nb\"", 2, "control character"},
        {"\"a\x01\"", 2, "control character"},
        {"\"ab\xc0\x80\"", 3, "UTF-8"},          /* overlong NUL */
        {"\"\xed\xa0\x80\"", 1, "UTF-8"},        /* encoded surrogate */
        {"\"\xf5\x80\x80\x80\"", 1, "UTF-8"},    /* above U+10FFFF */
        {"\"\xe4\xb8\"", 1, "UTF-8"},            /* truncated sequence */
        {"\"\x80\"", 1, "UTF-8"},                /* lone continuation byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        off = 999;
        err_clear(&err);
        rc = parse(bad[i].text, &v, &off, &err);
        CHECK(rc == ERR_INPUT && off == bad[i].off && strstr(err.msg, bad[i].word),
              "bad string #%zu refused at %zu with '%s' (got %zu: %s)", i, bad[i].off, bad[i].word, off, err.msg);
    }
}

static void test_nesting(void)
{
    const char *text = " {\"a\": [1, {\"b\": \"x\"}, []], \"c\": {}, \"d\": -2, \"a\": 5} ";
    JsonValue v;
    Err err;
    int rc = parse(text, &v, NULL, &err);
    CHECK(rc == 0 && v.type == JSON_OBJECT && v.count == 4, "nested object parses (%s)", rc ? err.msg : "ok");
    if (rc)
        return;
    CHECK(strcmp(v.keys[0], "a") == 0 && strcmp(v.keys[1], "c") == 0 && strcmp(v.keys[2], "d") == 0,
          "object keys kept in file order");
    const JsonValue *a = json_get(&v, "a");
    CHECK(a && a->type == JSON_ARRAY && a->count == 3, "json_get returns the first of duplicate keys");
    const JsonValue *b = a ? json_get(&a->items[1], "b") : NULL;
    CHECK(b && b->type == JSON_STRING && strcmp(b->string, "x") == 0, "json_get inside an array element");
    CHECK(a && a->items[2].type == JSON_ARRAY && a->items[2].count == 0, "empty array");
    const JsonValue *c = json_get(&v, "c");
    CHECK(c && c->type == JSON_OBJECT && c->count == 0, "empty object");
    CHECK(json_get(&v, "zz") == NULL && json_get(a, "b") == NULL && json_get(NULL, "a") == NULL,
          "json_get: absent key, non-object, NULL give NULL");
    json_free(&v);
    CHECK(v.type == JSON_NULL && v.count == 0 && v.items == NULL, "json_free resets the value");
}

static void test_errors(void)
{
    static const struct {
        const char *text;
        size_t off;
        const char *word;
    } bad[] = {
        {"[1, 2,]", 6, "expected a value"},
        {"{\"a\" 1}", 5, "':'"},
        {"{\"a\":1,}", 7, "string key"},
        {"{a:1}", 1, "string key"},
        {"[1 2]", 3, "',' or ']'"},
        {"{\"a\":1 \"b\":2}", 7, "',' or '}'"},
        {"[1,", 3, "end of input"},
        {"[[1]", 4, "end of input"},
        {"{\"a\":1", 6, "end of input"},
        {"", 0, "end of input"},
        {"   ", 3, "end of input"},
        {"1 2", 2, "trailing"},
        {"{}x", 2, "trailing"},
        {"[] ]", 3, "trailing"},
        {"[1]\0", 3, "trailing"},
        {"'a'", 0, "unexpected character"},
        {"[1,/*c*/2]", 3, "unexpected character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        JsonValue v;
        Err err;
        size_t off = 999;
        size_t len = strlen(bad[i].text) + (strcmp(bad[i].text, "[1]") == 0 ? 1 : 0);
        int rc = json_parse(bad[i].text, len, &v, &off, &err);
        CHECK(rc == ERR_INPUT && off == bad[i].off && strstr(err.msg, bad[i].word) && v.type == JSON_NULL,
              "error in '%s' at offset %zu mentions '%s' (got %zu: %s)", bad[i].text, bad[i].off, bad[i].word, off,
              err.msg);
    }
}

static void test_depth(void)
{
    char buf[2 * JSON_MAX_DEPTH + 4];
    JsonValue v;
    Err err;
    size_t off;
    for (int n = JSON_MAX_DEPTH; n <= JSON_MAX_DEPTH + 1; n++) {
        memset(buf, '[', (size_t)n);
        memset(buf + n, ']', (size_t)n);
        int rc = json_parse(buf, 2 * (size_t)n, &v, &off, &err);
        if (n == JSON_MAX_DEPTH) {
            CHECK(rc == 0 && v.type == JSON_ARRAY, "%d nested arrays parse", n);
            json_free(&v);
        } else {
            CHECK(rc == ERR_INPUT && off == (size_t)JSON_MAX_DEPTH && strstr(err.msg, "too deep"),
                  "%d nested arrays refused at offset %d (got %zu: %s)", n, JSON_MAX_DEPTH, off, err.msg);
        }
    }
    /* a hostile input: a million '[' or '{"a":' must fail fast, not overflow the stack */
    size_t big = 1000000;
    char *deep = malloc(big * 5);
    memset(deep, '[', big);
    int rc = json_parse(deep, big, &v, &off, &err);
    CHECK(rc == ERR_INPUT && off == (size_t)JSON_MAX_DEPTH, "a million '[' refused at the depth limit");
    for (size_t i = 0; i < big; i++)
        memcpy(deep + 5 * i, "{\"a\":", 5);
    rc = json_parse(deep, big * 5, &v, &off, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "too deep") && off == 5 * (size_t)JSON_MAX_DEPTH,
          "a million nested objects refused at the depth limit");
    free(deep);
    /* many siblings are fine: breadth is not depth */
    StrBuf b;
    strbuf_init(&b);
    strbuf_append_str(&b, "[");
    for (int i = 0; i < 10000; i++)
        strbuf_appendf(&b, "%s{\"k\":[%d]}", i ? "," : "", i);
    strbuf_append_str(&b, "]");
    rc = json_parse(b.data, b.len, &v, NULL, &err);
    CHECK(rc == 0 && v.count == 10000 && json_get(&v.items[9999], "k")->items[0].number == 9999.0,
          "10000 sibling objects parse");
    json_free(&v);
    strbuf_free(&b);
}

static void test_strbuf(void)
{
    StrBuf b;
    strbuf_init(&b);
    strbuf_appendf(&b, "%d-%s", 42, "x");
    CHECK(b.len == 4 && strcmp(b.data, "42-x") == 0, "appendf formats");
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    strbuf_appendf(&b, "[%s]", big);
    CHECK(b.len == 4 + 1001 && b.data[4] == '[' && b.data[b.len - 1] == ']' && b.data[b.len] == '\0' &&
              b.cap > b.len,
          "appendf longer than its stack buffer grows the buffer (len %zu)", b.len);
    strbuf_reset(&b);
    CHECK(b.len == 0 && b.data[0] == '\0', "reset empties");
    strbuf_append(&b, "ab\0c", 4);
    size_t n = 0;
    char *p = strbuf_detach(&b, &n);
    CHECK(n == 4 && memcmp(p, "ab\0c", 5) == 0 && b.data == NULL && b.len == 0,
          "append keeps NUL bytes; detach hands over the bytes and empties");
    free(p);
    p = strbuf_detach(&b, &n);
    CHECK(p && n == 0 && p[0] == '\0', "detach of an empty buffer gives an empty string");
    free(p);

    /* Every byte 0x00..0x7f, then quotes and multibyte UTF-8, round trips. */
    char in[128 + 32];
    size_t k = 0;
    for (int c = 0; c < 128; c++)
        in[k++] = (char)c;
    const char *tail = "\"\\\xe5\xbe\xaa\xf0\x9f\x98\x80\xc3\xa9";
    memcpy(in + k, tail, strlen(tail));
    k += strlen(tail);
    strbuf_append_json_string(&b, in, k);
    int plain = 1;
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.data[i] < 0x20)
            plain = 0;
    CHECK(plain && b.data[0] == '"' && b.data[b.len - 1] == '"', "quoted string has no raw control bytes");
    CHECK(strstr(b.data, "\\u0001") && strstr(b.data, "\\n") && strstr(b.data, "\\u007f") &&
              strstr(b.data, "\\\"\\\\"),
          "control bytes escaped as \\u00XX or by name, quote and backslash escaped");
    JsonValue v;
    Err err;
    int rc = json_parse(b.data, b.len, &v, NULL, &err);
    CHECK(rc == 0 && v.type == JSON_STRING && v.string_len == k && memcmp(v.string, in, k) == 0,
          "append_json_string output parses back to the same %zu bytes (%s)", k, rc ? err.msg : "ok");
    json_free(&v);
    strbuf_free(&b);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0, "strbuf_free resets");
}

int main(void)
{
    test_numbers();
    test_literals_and_strings();
    test_nesting();
    test_errors();
    test_depth();
    test_strbuf();
    return check_summary();
}
