/* test_safetensors.c — safetensors reader and writer.
 *
 * Round trip through the C writer; a file written by Python
 * (tests/make_st_fixture.py, values by formula); every corruption the reader
 * must refuse, each with the words its message must contain; a fuzz loop of
 * byte flips and truncations that must never crash (run under ASan); and
 * failed saves that must leave the previous file byte-identical.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "json.h"
#include "rng.h"
#include "safetensors.h"
#include "strbuf.h"

static char tmpdir[256];

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static float formula(size_t i)
{
    return (float)((int)((i * 7) % 13) - 6) / 8.0f;
}

/* Unlink first: on ext4, truncating an existing file forces a flush on close
 * (auto_da_alloc), which made the fuzz loop wait on the disk. */
static int write_bytes(const char *path, const void *data, size_t n)
{
    unlink(path);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int ok = fwrite(data, 1, n, fp) == n;
    return fclose(fp) == 0 && ok ? 0 : -1;
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    char chunk[4096];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, fp)) > 0)
        strbuf_append(&b, chunk, r);
    fclose(fp);
    return (unsigned char *)strbuf_detach(&b, n);
}

static const int64_t I64_VALUES[5] = {-(INT64_C(1) << 62), -1, 0, (INT64_C(1) << 53) + 1, INT64_MAX};
static const char *QUOTE_META = "say \"hi\"\\ back\nslash\ttab";
static const char *CHINESE_META = "\xe5\xbe\xaa\xe7\x8e\xaf\xe7\xa5\x9e\xe7\xbb\x8f\xe7\xbd\x91\xe7\xbb\x9c"; /* 循环神经网络 */

static StWriter *make_writer(void)
{
    StWriter *w = st_writer_new();
    float wv[12];
    for (size_t i = 0; i < 12; i++)
        wv[i] = formula(i);
    int64_t shape_w[2] = {3, 4};
    st_add_f32(w, "w", wv, 2, shape_w);
    float s = -1.5f;
    st_add_f32(w, "scalar", &s, 0, NULL);
    int64_t shape_c[1] = {5};
    st_add_raw(w, "count", ST_I64, I64_VALUES, 1, shape_c);
    int64_t shape_e[2] = {0, 4};
    st_add_f32(w, "empty", NULL, 2, shape_e);
    st_add_meta(w, "format", "rnnscope/1");
    st_add_meta(w, "quote", QUOTE_META);
    st_add_meta(w, "chinese", CHINESE_META);
    st_add_meta(w, "vocab", "[\"a\",\"\\n\"]");
    return w;
}

static void test_round_trip(void)
{
    char path[512];
    tmp_path(path, sizeof path, "rt.safetensors");
    StWriter *w = make_writer();
    Err err;
    err_clear(&err);
    int rc = st_writer_save(w, path, &err);
    CHECK(rc == 0, "round trip: save succeeds (%s)", err.msg);
    const char *keep = getenv("RNNSCOPE_ST_KEEP");
    if (keep)
        st_writer_save(w, keep, &err);
    st_writer_free(w);

    size_t n = 0;
    unsigned char *raw = read_bytes(path, &n);
    uint64_t hlen = 0;
    for (int i = 7; raw && n >= 8 && i >= 0; i--)
        hlen = hlen << 8 | raw[i];
    CHECK(raw && hlen % 8 == 0 && hlen + 8 <= n, "round trip: header length %llu is a multiple of 8",
          (unsigned long long)hlen);
    CHECK(raw && n == 8 + hlen + 12 * 4 + 4 + 5 * 8, "round trip: file size %zu = 8 + header + 92 data bytes", n);
    CHECK(raw && hlen >= 1 && raw[8] == '{' && (raw[8 + hlen - 1] == '}' || raw[8 + hlen - 1] == ' '),
          "round trip: header is a JSON object padded with spaces");
    free(raw);

    StFile f;
    rc = st_read(&f, path, &err);
    CHECK(rc == 0, "round trip: read succeeds (%s)", err.msg);
    if (rc)
        return;
    CHECK(f.n_tensors == 4, "round trip: 4 tensors (got %d)", f.n_tensors);
    const char *order[4] = {"w", "scalar", "count", "empty"};
    for (int i = 0; i < 4 && i < f.n_tensors; i++)
        CHECK(strcmp(f.tensors[i].name, order[i]) == 0, "round trip: tensor %d is %s in insertion order (got %s)",
              i, order[i], f.tensors[i].name);
    const StTensor *t = st_find(&f, "w");
    CHECK(t && t->dtype == ST_F32 && t->ndim == 2 && t->shape[0] == 3 && t->shape[1] == 4 && t->nelem == 12,
          "round trip: w is F32 [3,4]");
    float got[12];
    rc = st_get_f32(&f, "w", got, 12, &err);
    int same = rc == 0;
    for (size_t i = 0; same && i < 12; i++)
        same = got[i] == formula(i);
    CHECK(same, "round trip: w values equal what was written");
    t = st_find(&f, "scalar");
    CHECK(t && t->ndim == 0 && t->nelem == 1, "round trip: scalar has ndim 0 and 1 element");
    float s = 0;
    CHECK(st_get_f32(&f, "scalar", &s, 1, &err) == 0 && s == -1.5f, "round trip: scalar value -1.5 (got %g)", s);
    t = st_find(&f, "empty");
    CHECK(t && t->ndim == 2 && t->shape[0] == 0 && t->shape[1] == 4 && t->nelem == 0,
          "round trip: empty is [0,4] with 0 elements");
    int64_t c[5] = {0};
    rc = st_get_i64(&f, "count", c, 5, &err);
    CHECK(rc == 0 && memcmp(c, I64_VALUES, sizeof c) == 0, "round trip: I64 values exact incl. 2^53+1 and INT64_MAX");
    CHECK(st_meta(&f, "format") && strcmp(st_meta(&f, "format"), "rnnscope/1") == 0, "round trip: meta format");
    CHECK(st_meta(&f, "quote") && strcmp(st_meta(&f, "quote"), QUOTE_META) == 0,
          "round trip: meta with quotes, backslash, newline, tab");
    CHECK(st_meta(&f, "chinese") && strcmp(st_meta(&f, "chinese"), CHINESE_META) == 0,
          "round trip: meta with Chinese text");
    CHECK(st_meta(&f, "vocab") && strcmp(st_meta(&f, "vocab"), "[\"a\",\"\\n\"]") == 0,
          "round trip: meta holding a JSON array");
    CHECK(st_meta(&f, "nope") == NULL && st_find(&f, "nope") == NULL, "round trip: absent names give NULL");

    err_clear(&err);
    rc = st_get_f32(&f, "count", got, 5, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "count") && strstr(err.msg, "I64") && strstr(err.msg, path),
          "get_f32 of an I64 tensor names file, tensor and dtype: %s", err.msg);
    rc = st_get_f32(&f, "w", got, 11, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "12 elements") && strstr(err.msg, "expected 11"),
          "get_f32 with the wrong count says so: %s", err.msg);
    rc = st_get_f32(&f, "missing.weight", got, 1, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "missing.weight") && strstr(err.msg, "missing"),
          "get_f32 of an absent tensor names it: %s", err.msg);
    st_free(&f);
    CHECK(f.n_tensors == 0 && f.buf == NULL, "st_free empties the struct");
    st_free(&f); /* twice is safe */
}

static uint32_t f32_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    return u;
}

static float half_to_float(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : ldexpf((float)(m | 1024), e - 25);
    return h & 0x8000 ? -v : v;
}

static void test_python_fixture(void)
{
    const char *dir = getenv("RNNSCOPE_TESTS");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/st_python.safetensors", dir ? dir : "tests");
    StFile f;
    Err err;
    int rc = st_read(&f, path, &err);
    CHECK(rc == 0, "python fixture: read succeeds (%s)", rc ? err.msg : path);
    if (rc)
        return;
    CHECK(f.n_tensors == 11, "python fixture: 11 tensors (got %d)", f.n_tensors);
    float e[15];
    rc = st_get_f32(&f, "embedding.weight", e, 15, &err);
    int same = rc == 0;
    for (size_t i = 0; same && i < 15; i++)
        same = e[i] == formula(i);
    const StTensor *t = st_find(&f, "embedding.weight");
    CHECK(same && t && t->ndim == 2 && t->shape[0] == 5 && t->shape[1] == 3,
          "python fixture: embedding.weight [5,3] values by formula");
    float b[5];
    rc = st_get_f32(&f, "head.bias", b, 5, &err);
    same = rc == 0;
    for (size_t i = 0; same && i < 5; i++)
        same = b[i] == formula(i);
    CHECK(same, "python fixture: head.bias values");
    float s = 0;
    CHECK(st_get_f32(&f, "scalar", &s, 1, &err) == 0 && s == 2.5f && st_find(&f, "scalar")->ndim == 0,
          "python fixture: 0-d scalar 2.5");
    t = st_find(&f, "empty");
    CHECK(t && t->nelem == 0 && t->ndim == 2 && st_get_f32(&f, "empty", NULL, 0, &err) == 0,
          "python fixture: empty [0,4] tensor");
    float sp[6];
    rc = st_get_f32(&f, "special", sp, 6, &err);
    CHECK(rc == 0 && f32_bits(sp[0]) == 0x80000000u && isinf(sp[1]) && sp[1] > 0 && isinf(sp[2]) && sp[2] < 0 &&
              f32_bits(sp[3]) == 1u && f32_bits(sp[4]) == 0x7f7fffffu && sp[5] == 1.0f / 3.0f,
          "python fixture: -0, +-inf, denormal, FLT_MAX, 1/3 bit-exact");
    int64_t st[5];
    rc = st_get_i64(&f, "step", st, 5, &err);
    CHECK(rc == 0 && memcmp(st, I64_VALUES, sizeof st) == 0, "python fixture: I64 values exact");
    t = st_find(&f, "f64");
    same = t && t->dtype == ST_F64 && t->nelem == 4;
    for (size_t i = 0; same && i < 4; i++) {
        double d;
        memcpy(&d, (const unsigned char *)t->data + 8 * i, 8);
        same = d == (double)formula(i);
    }
    CHECK(same, "python fixture: F64 values");
    t = st_find(&f, "i32");
    int32_t iv[3] = {0};
    if (t && t->nelem == 3)
        memcpy(iv, t->data, sizeof iv);
    CHECK(t && t->dtype == ST_I32 && iv[0] == -7 && iv[1] == 0 && iv[2] == INT32_MAX, "python fixture: I32 values");
    t = st_find(&f, "u8");
    CHECK(t && t->dtype == ST_U8 && t->nelem == 3 && ((const unsigned char *)t->data)[2] == 255 &&
              ((const unsigned char *)t->data)[1] == 1,
          "python fixture: U8 values");
    t = st_find(&f, "f16");
    same = t && t->dtype == ST_F16 && t->nelem == 3;
    for (size_t i = 0; same && i < 3; i++) {
        uint16_t h;
        memcpy(&h, (const unsigned char *)t->data + 2 * i, 2);
        same = half_to_float(h) == formula(i);
    }
    CHECK(same, "python fixture: F16 values");
    t = st_find(&f, "bf16");
    same = t && t->dtype == ST_BF16 && t->nelem == 3;
    for (size_t i = 0; same && i < 3; i++) {
        uint16_t h;
        memcpy(&h, (const unsigned char *)t->data + 2 * i, 2);
        same = (uint32_t)h << 16 == f32_bits(formula(i));
    }
    CHECK(same, "python fixture: BF16 values");
    CHECK(st_meta(&f, "quote") && strcmp(st_meta(&f, "quote"), QUOTE_META) == 0,
          "python fixture: meta with quotes and newline");
    CHECK(st_meta(&f, "chinese") && strcmp(st_meta(&f, "chinese"), CHINESE_META) == 0,
          "python fixture: Chinese meta (from \\u escapes)");
    CHECK(st_meta(&f, "emoji") && strcmp(st_meta(&f, "emoji"), "\xf0\x9f\x98\x80 ok") == 0,
          "python fixture: emoji meta (from a surrogate pair)");
    const char *vocab = st_meta(&f, "vocab");
    JsonValue v;
    rc = vocab ? json_parse(vocab, strlen(vocab), &v, NULL, &err) : -1;
    CHECK(rc == 0 && v.type == JSON_ARRAY && v.count == 4 && strcmp(v.items[1].string, "\n") == 0 &&
              strcmp(v.items[2].string, "\"") == 0 && strcmp(v.items[3].string, "\xc3\xa9") == 0,
          "python fixture: vocab meta parses as a JSON array of 4 strings");
    if (rc == 0)
        json_free(&v);
    st_free(&f);
}

/* A file from a header text and data bytes, with the header length as given
 * (or the true length when hlen is UINT64_MAX). */
static void write_st(const char *path, const char *header, uint64_t hlen, const void *data, size_t n)
{
    StrBuf b;
    strbuf_init(&b);
    size_t h = strlen(header);
    if (hlen == UINT64_MAX)
        hlen = h;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)(hlen >> (8 * i));
    strbuf_append(&b, len8, 8);
    strbuf_append(&b, header, h);
    strbuf_append(&b, data, n);
    write_bytes(path, b.data, b.len);
    strbuf_free(&b);
}

typedef struct {
    const char *what;
    const char *header;
    size_t data_len;
    const char *words[3];
} Corrupt;

static void test_corruptions(void)
{
    char path[512];
    tmp_path(path, sizeof path, "bad.safetensors");
    unsigned char zeros[128] = {0};
    static const Corrupt cases[] = {
        {"invalid JSON", "{\"w\":}", 0, {"invalid JSON header at byte 13", "expected a value", NULL}},
        {"trailing garbage after JSON", "{} x", 0, {"invalid JSON header at byte 11", "trailing", NULL}},
        {"header not an object", "[1,2]", 0, {"not an object", NULL, NULL}},
        {"entry not an object", "{\"w\":3}", 0, {"\"w\"", "not an object", NULL}},
        {"unknown dtype", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
         {"tensor \"w\" has unsupported dtype \"F8_E4M3\"", "save it as float32", NULL}},
        {"missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, {"\"w\"", "dtype", NULL}},
        {"missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, {"\"w\"", "shape", NULL}},
        {"negative dim", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
         {"\"w\"", "shape entry 0", "non-negative integer"}},
        {"fractional dim", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1.5],\"data_offsets\":[0,4]}}", 4,
         {"shape entry 1", "non-negative integer", NULL}},
        {"string dim", "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4,
         {"shape entry 0", NULL, NULL}},
        {"ndim 9", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
         {"9 dimensions", "at most 8", NULL}},
        {"shape overflow",
         "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}", 4,
         {"\"w\"", "overflows", NULL}},
        {"huge dim", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1e300],\"data_offsets\":[0,4]}}", 4,
         {"shape entry 0", NULL, NULL}},
        {"offsets not a pair", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
         {"data_offsets [begin, end]", NULL, NULL}},
        {"offsets negative", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4,
         {"data_offsets [begin, end]", NULL, NULL}},
        {"end before begin", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4,
         {"end before begin", NULL, NULL}},
        {"size mismatch", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8,
         {"[0, 4] (4 bytes)", "need 8 bytes", NULL}},
        {"past the data", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4,
         {"end 8 past the end of the data section (4 bytes)", "truncated", NULL}},
        {"overlap",
         "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
         12, {"\"a\" and \"b\"", "overlapping", NULL}},
        {"duplicate name",
         "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
         "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
         8, {"\"a\" twice", NULL, NULL}},
        {"metadata not an object", "{\"__metadata__\":[\"x\"]}", 0, {"__metadata__", "not an object", NULL}},
        {"metadata value not a string", "{\"__metadata__\":{\"layers\":2}}", 0,
         {"__metadata__ value \"layers\"", "not a string", NULL}},
        /* as strict as the format: the header begins with '{', offsets and dims are
         * integers, the tensors cover the data section with no hole and nothing after */
        {"leading space", " {}", 0, {"at byte 8 is not an object", "starts with a space, not '{'", NULL}},
        {"leading newline", "\n{}", 0, {"at byte 8 is not an object", "starts with byte 0x0a", NULL}},
        {"offset 0.0", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.0,4]}}", 4,
         {"tensor \"w\" needs data_offsets [begin, end] of non-negative integers", "0.0 at byte 56 is not one", NULL}},
        {"offset 1e2", "{\"w\":{\"dtype\":\"U8\",\"shape\":[100],\"data_offsets\":[0,1e2]}}", 100,
         {"\"w\"", "1e2 at byte 59 is not one", NULL}},
        {"offset 4E0", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4E0]}}", 4,
         {"4E0 at byte 58 is not one", NULL, NULL}},
        {"dim 1.0", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4,
         {"shape entry 0 at byte 37", "not a non-negative integer", NULL}},
        {"hole between tensors",
         "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
         12, {"bytes 120..123, between tensors \"a\" and \"b\", belong to no tensor", "hole", NULL}},
        {"hole before the first tensor", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
         {"bytes 62..65, before tensor \"a\", belong to no tensor", "data offset 0", NULL}},
        {"bytes after the last tensor", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
         {"4 bytes at byte 66, after the last tensor \"a\", belong to no tensor", NULL, NULL}},
        {"bytes after an empty header", "{}", 3, {"3 bytes at byte 10 after a header without tensors", NULL, NULL}},
        {"control char in name", "{\"a\\nb\":{\"dtype\":\"X\",\"shape\":[],\"data_offsets\":[0,0]}}", 0,
         {"\"a\\x0ab\"", "unsupported dtype", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const Corrupt *c = &cases[i];
        write_st(path, c->header, UINT64_MAX, zeros, c->data_len);
        StFile f;
        Err err;
        err_clear(&err);
        int rc = st_read(&f, path, &err);
        int ok = rc == ERR_INPUT && strncmp(err.msg, path, strlen(path)) == 0 && !strchr(err.msg, '\n');
        for (int k = 0; k < 3 && c->words[k]; k++)
            ok = ok && strstr(err.msg, c->words[k]) != NULL;
        CHECK(ok && f.n_tensors == 0 && f.buf == NULL && f.tensors == NULL,
              "corrupt (%s): ERR_INPUT naming the file: %s", c->what, err.msg);
        st_free(&f);
    }

    /* Truncations at the header-length level. */
    StFile f;
    Err err;
    write_bytes(path, "\x10\0\0", 3);
    int rc = st_read(&f, path, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "only 3 bytes") && strstr(err.msg, "truncated or not safetensors"),
          "corrupt (3-byte file): %s", err.msg);
    write_st(path, "{}", 1000, NULL, 0);
    rc = st_read(&f, path, &err);
    char want[128];
    snprintf(want, sizeof want, "header length 1000 at byte 0 runs past the end of the file (10 bytes)");
    CHECK(rc == ERR_INPUT && strstr(err.msg, want) && strstr(err.msg, "truncated or not safetensors"),
          "corrupt (header length past the end): %s", err.msg);
    write_st(path, "{}", UINT64_MAX - 1, NULL, 0);
    rc = st_read(&f, path, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "runs past the end"), "corrupt (header length 2^64-2): %s", err.msg);
    write_st(path, "", UINT64_MAX, NULL, 0);
    rc = st_read(&f, path, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "invalid JSON header at byte 8"), "corrupt (empty header): %s",
          err.msg);
    char missing[512];
    tmp_path(missing, sizeof missing, "does-not-exist.safetensors");
    rc = st_read(&f, missing, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, missing) && strstr(err.msg, "No such file"),
          "missing file: %s", err.msg);
    rc = st_read(&f, tmpdir, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, tmpdir) && strstr(err.msg, "not a regular file"),
          "directory instead of a file: %s", err.msg);

    /* A valid hand-made file: tensors out of offset order, a zero-size one, JSON
     * whitespace inside and padding after the header, no metadata. It loads. */
    float vals[3] = {1.0f, 2.0f, 3.0f};
    unsigned char data[12] = {0};
    memcpy(data, &vals[1], 8);
    memcpy(data + 8, &vals[0], 4);
    write_st(path,
             "{\"x\": {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},\n"
             "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
             "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0, 8]}}  \t\n  ",
             UINT64_MAX, data, 12);
    rc = st_read(&f, path, &err);
    float y[2] = {0}, x = 0;
    CHECK(rc == 0 && f.n_meta == 0 && st_get_f32(&f, "y", y, 2, &err) == 0 && y[0] == 2.0f && y[1] == 3.0f &&
              st_get_f32(&f, "x", &x, 1, &err) == 0 && x == 1.0f,
          "hand-made file with whitespace, offsets out of order, an empty tensor and no metadata loads (%s)",
          rc ? err.msg : "ok");
    st_free(&f);
    /* ... and with a hole between its tensors, or a space before the '{', it does not */
    unsigned char gap[16] = {0};
    write_st(path,
             "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
             "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
             UINT64_MAX, gap, 16);
    rc = st_read(&f, path, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "between tensors \"x\" and \"y\"") && !strchr(err.msg, '\n'),
          "a hole of 4 bytes between two tensors is refused: %s", err.msg);
    st_free(&f);
}

/* Byte flips and truncations of a valid file: every read either succeeds with
 * all tensors inside the buffer or fails with ERR_INPUT naming the file. ASan
 * catches any out-of-bounds read. */
static void test_fuzz(const char *src, uint64_t seed)
{
    char path[512];
    tmp_path(path, sizeof path, "fuzz.safetensors");
    size_t n = 0;
    unsigned char *orig = read_bytes(src, &n);
    CHECK(orig && n > 16, "fuzz: base file present (%zu bytes)", n);
    if (!orig)
        return;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | orig[i];
    unsigned char *buf = malloc(n);
    Rng rng;
    rng_seed(&rng, seed);
    int iters = 4000, ok = 0, refused = 0, bad = 0;
    static const char interesting[] = "{}[]\",:0123456789-.eE \\u";
    for (int it = 0; it < iters; it++) {
        memcpy(buf, orig, n);
        size_t len = n;
        int kind = (int)rng_below(&rng, 4);
        if (kind == 0) {
            len = rng_below(&rng, (uint32_t)n);
        } else {
            int flips = 1 + (int)rng_below(&rng, 4);
            for (int k = 0; k < flips; k++) {
                /* mostly inside the length field and the header, where structure lives */
                size_t at = rng_below(&rng, 4) ? rng_below(&rng, (uint32_t)(8 + hlen)) : rng_below(&rng, (uint32_t)n);
                if (kind == 1)
                    buf[at] ^= (unsigned char)(1u << rng_below(&rng, 8));
                else if (kind == 2)
                    buf[at] = (unsigned char)interesting[rng_below(&rng, sizeof interesting - 1)];
                else
                    buf[at] = (unsigned char)rng_u32(&rng);
            }
        }
        write_bytes(path, buf, len);
        StFile f;
        Err err;
        err_clear(&err);
        int rc = st_read(&f, path, &err);
        if (rc == 0) {
            unsigned sum = 0;
            for (int i = 0; i < f.n_tensors; i++) {
                const StTensor *t = &f.tensors[i];
                size_t bytes = t->nelem * (t->dtype == ST_F32 || t->dtype == ST_I32 ? 4
                                           : t->dtype == ST_U8                      ? 1
                                           : t->dtype == ST_F16 || t->dtype == ST_BF16 ? 2
                                                                                    : 8);
                const unsigned char *p = t->data;
                if (p < f.buf || p + bytes > f.buf + f.buf_len)
                    bad++;
                for (size_t k = 0; k < bytes; k++)
                    sum += p[k];
            }
            (void)sum;
            for (int i = 0; i < f.n_meta; i++)
                if (!f.meta_keys[i] || !f.meta_values[i])
                    bad++;
            ok++;
        } else if (rc == ERR_INPUT && strncmp(err.msg, path, strlen(path)) == 0 && !strchr(err.msg, '\n')) {
            refused++;
        } else {
            if (bad < 5)
                printf("  fuzz iteration %d: rc %d message %s\n", it, rc, err.msg);
            bad++;
        }
        st_free(&f);
    }
    printf("  fuzz %s: %d mutated files, %d loaded, %d refused\n", src, iters, ok, refused);
    CHECK(bad == 0 && ok + refused == iters,
          "fuzz: %d mutations of %s all loaded in bounds or refused with ERR_INPUT", iters, src);
    CHECK(refused > iters / 2, "fuzz: most mutations are refused (%d of %d)", refused, iters);
    free(buf);
    free(orig);
}

static int dir_has_temp(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char prefix[256];
    snprintf(prefix, sizeof prefix, ".%s.tmp", base);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            found = 1;
    closedir(d);
    return found;
}

static void test_failed_saves(void)
{
    char path[512];
    tmp_path(path, sizeof path, "keep.safetensors");
    StWriter *w = make_writer();
    Err err;
    CHECK(st_writer_save(w, path, &err) == 0, "failed saves: first save succeeds");
    size_t n0 = 0, n1 = 0;
    unsigned char *before = read_bytes(path, &n0);

    /* A bigger second version, written while files are limited in size: the
     * temporary file's write fails (EFBIG) and the old file must survive. */
    float big[1024] = {0};
    int64_t shape[1] = {1024};
    st_add_f32(w, "big", big, 1, shape);
    struct rlimit old;
    getrlimit(RLIMIT_FSIZE, &old);
    struct rlimit lim = old;
    lim.rlim_cur = (rlim_t)n0 + 16;
    signal(SIGXFSZ, SIG_IGN);
    int limited = setrlimit(RLIMIT_FSIZE, &lim) == 0;
    err_clear(&err);
    int rc = st_writer_save(w, path, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    unsigned char *after = read_bytes(path, &n1);
    CHECK(limited && rc == ERR_RUNTIME && strstr(err.msg, path) && strstr(err.msg, "too large"),
          "failed save (write fails): error names the path and strerror: %s", err.msg);
    CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0,
          "failed save (write fails): previous file byte-identical");
    CHECK(!dir_has_temp(tmpdir, "keep.safetensors"), "failed save (write fails): temporary file removed");
    free(after);

    /* Target is a directory. */
    char dpath[512];
    tmp_path(dpath, sizeof dpath, "adir");
    mkdir(dpath, 0755);
    rc = st_writer_save(w, dpath, &err);
    struct stat st;
    CHECK(rc != 0 && strstr(err.msg, dpath) && strstr(err.msg, "directory") && stat(dpath, &st) == 0 &&
              S_ISDIR(st.st_mode),
          "failed save (path is a directory): %s", err.msg);

    /* Missing folders are made (paths_make_parent); one that cannot be is named. */
    char mpath[512];
    tmp_path(mpath, sizeof mpath, "no/such/dir/x.safetensors");
    rc = st_writer_save(w, mpath, &err);
    CHECK(rc == 0 && stat(mpath, &st) == 0 && S_ISREG(st.st_mode), "a save makes its missing folders: %s",
          rc ? err.msg : mpath);
    char bpath[600];
    snprintf(bpath, sizeof bpath, "%s/y/z.safetensors", mpath);
    rc = st_writer_save(w, bpath, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "cannot create folder") && strstr(err.msg, mpath),
          "failed save (a file where a folder should be): %s", err.msg);

    /* A FIFO (or a device node) at the path: rename() would replace it. */
    char fpath[512];
    tmp_path(fpath, sizeof fpath, "fifo");
    if (mkfifo(fpath, 0644) == 0) {
        rc = st_writer_save(w, fpath, &err);
        struct stat fst;
        CHECK(rc == ERR_INPUT && strstr(err.msg, "not a regular file") && stat(fpath, &fst) == 0 &&
                  S_ISFIFO(fst.st_mode),
              "failed save (path is a FIFO): refused and the FIFO left alone: %s", err.msg);
        unlink(fpath);
    }

    /* Read-only directory. Root writes anywhere, so as root the save runs in
     * a child that drops to user nobody first. */
    char rdir[512], rpath[600];
    tmp_path(rdir, sizeof rdir, "ro");
    mkdir(rdir, 0755);
    snprintf(rpath, sizeof rpath, "%s/keep.safetensors", rdir);
    st_writer_save(w, rpath, &err);
    size_t r0 = 0, r1 = 0;
    unsigned char *rbefore = read_bytes(rpath, &r0);
    chmod(rdir, 0555);
    chmod(tmpdir, 0755); /* let nobody reach rdir */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        StWriter *w2 = st_writer_new();
        float one = 1;
        st_add_f32(w2, "one", &one, 0, NULL);
        Err e2;
        int rc2 = st_writer_save(w2, rpath, &e2);
        st_writer_free(w2);
        _exit(rc2 == ERR_INPUT && strstr(e2.msg, rpath) && strstr(e2.msg, "Permission denied") ? 0 : 4);
    }
    int status = -1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    chmod(tmpdir, 0700);
    unsigned char *rafter = read_bytes(rpath, &r1);
    CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "failed save (read-only directory): ERR_INPUT naming the path and 'Permission denied' (child status %d)",
          status);
    CHECK(rbefore && rafter && r0 == r1 && memcmp(rbefore, rafter, r0) == 0 && !dir_has_temp(rdir, "keep.safetensors"),
          "failed save (read-only directory): previous file byte-identical, no temporary left");
    free(rafter);
    chmod(rdir, 0755);
    unlink(rpath);
    rmdir(rdir);
    free(rbefore);

    /* Invalid writer contents are refused before the disk is touched. */
    StWriter *w3 = st_writer_new();
    float v = 1;
    st_add_f32(w3, "dup", &v, 0, NULL);
    st_add_f32(w3, "dup", &v, 0, NULL);
    rc = st_writer_save(w3, path, &err);
    after = read_bytes(path, &n1);
    CHECK(rc != 0 && strstr(err.msg, "\"dup\" added twice") && after && n0 == n1 && memcmp(before, after, n0) == 0,
          "duplicate tensor name refused, file unchanged: %s", err.msg);
    free(after);
    st_writer_free(w3);
    w3 = st_writer_new();
    int64_t neg[1] = {-2};
    st_add_f32(w3, "neg", &v, 1, neg);
    rc = st_writer_save(w3, path, &err);
    CHECK(rc != 0 && strstr(err.msg, "\"neg\"") && strstr(err.msg, "invalid"), "negative dim refused: %s",
          err.msg);
    st_writer_free(w3);

    /* A successful save replaces the file. */
    rc = st_writer_save(w, path, &err);
    StFile f;
    int rc2 = st_read(&f, path, &err);
    CHECK(rc == 0 && rc2 == 0 && st_find(&f, "big") && f.n_tensors == 5, "save over an existing file replaces it");
    struct stat fst;
    memset(&fst, 0, sizeof fst);
    int have = stat(path, &fst) == 0;
    mode_t mask = umask(0);
    umask(mask);
    CHECK(have && (fst.st_mode & 0777) == (0666 & ~mask), "saved file has mode 0666 & ~umask (mode %o, umask %o)",
          (unsigned)(fst.st_mode & 0777), (unsigned)mask);
    st_free(&f);
    st_writer_free(w);
    free(before);
    unlink(path);
    rmdir(dpath);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/rnnscope-st-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        CHECK(0, "create a temporary directory: %s", strerror(errno));
        return check_summary();
    }
    test_round_trip();
    test_python_fixture();
    test_corruptions();
    char rt[512], py[1024];
    tmp_path(rt, sizeof rt, "rt.safetensors");
    snprintf(py, sizeof py, "%s/fixtures/st_python.safetensors",
             getenv("RNNSCOPE_TESTS") ? getenv("RNNSCOPE_TESTS") : "tests");
    /* every fixture in tests/fixtures (PyTorch's and rnnscope's) passes the strict reader */
    char fdir[1024];
    snprintf(fdir, sizeof fdir, "%s/fixtures", getenv("RNNSCOPE_TESTS") ? getenv("RNNSCOPE_TESTS") : "tests");
    DIR *d = opendir(fdir);
    int n_fix = 0, n_ok = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 12 || strcmp(de->d_name + len - 12, ".safetensors") != 0)
            continue;
        char fp[2048];
        snprintf(fp, sizeof fp, "%s/%s", fdir, de->d_name);
        StFile f;
        Err err;
        n_fix++;
        if (st_read(&f, fp, &err) == 0)
            n_ok++;
        else
            printf("  %s\n", err.msg);
        st_free(&f);
    }
    if (d)
        closedir(d);
    CHECK(n_fix >= 20 && n_ok == n_fix, "all %d fixtures in %s pass the strict reader (%d do)", n_fix, fdir, n_ok);
    test_fuzz(rt, 12345);
    test_fuzz(py, 777);
    test_failed_saves();
    char p[512];
    const char *names[] = {"rt.safetensors", "bad.safetensors", "fuzz.safetensors"};
    for (size_t i = 0; i < 3; i++) {
        tmp_path(p, sizeof p, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    return check_summary();
}
