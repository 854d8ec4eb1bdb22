/* safetensors.c — safetensors reader (validating) and atomic writer (see safetensors.h).
 *
 * The reader loads the whole file, parses the JSON header and checks every
 * entry before it hands out a pointer, so no later access can run out of the
 * buffer: a hostile or truncated file yields one ERR_INPUT line, never a crash.
 * It is not a lazy or memory-mapped loader, and it converts no dtypes except
 * through the typed getters.
 */
#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "paths.h"
#include "strbuf.h"

/* The reference implementation refuses headers above 100 MB; so do we, which
 * also bounds the memory a hostile header can make the JSON parser allocate. */
#define ST_MAX_HEADER 100000000u
/* Largest integer a double holds exactly; offsets and dims beyond it are refused. */
#define ST_MAX_INT 9007199254740992.0

static const char *const st_dtype_names[] = {"F32", "F64", "I32", "I64", "U8", "F16", "BF16"};
static const size_t st_dtype_sizes[] = {4, 8, 4, 8, 1, 2, 2};
#define ST_N_DTYPES ((int)(sizeof st_dtype_sizes / sizeof st_dtype_sizes[0]))

const char *st_dtype_name(StDtype d)
{
    if ((int)d < 0 || (int)d >= ST_N_DTYPES)
        return "?";
    return st_dtype_names[d];
}

static size_t st_dtype_size(StDtype d)
{
    return st_dtype_sizes[d];
}

/* ------------------------------------------------------------------ reading */

/* A name from the file, made safe for a one-line message: control bytes
 * escaped, quotes kept visible, long names cut. */
static const char *st_quote(const char *s, char *buf, size_t cap)
{
    size_t k = 0;
    buf[k++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (k + 8 >= cap) {
            memcpy(buf + k, "...", 3);
            k += 3;
            break;
        }
        if (*p < 0x20 || *p == 0x7f) {
            k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", *p);
        } else {
            buf[k++] = (char)*p;
        }
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

typedef struct {
    const char *key;
    size_t index;
    size_t begin, end;
} StSortItem;

static int st_cmp_key(const void *a, const void *b)
{
    return strcmp(((const StSortItem *)a)->key, ((const StSortItem *)b)->key);
}

static int st_cmp_range(const void *a, const void *b)
{
    const StSortItem *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* A JSON number written as a non-negative integer (no fraction or exponent:
 * the reference implementation reads offsets and dims as integers and refuses
 * 0.0 or 1e2) that a double holds exactly. */
static int st_json_uint(const JsonValue *v, size_t *out)
{
    if (!v || v->type != JSON_NUMBER || !v->integer || !(v->number >= 0) || v->number > ST_MAX_INT ||
        v->number != (double)(uint64_t)v->number)
        return -1;
    uint64_t u = (uint64_t)v->number;
    if (u > SIZE_MAX)
        return -1;
    *out = (size_t)u;
    return 0;
}

static int st_read_file(const char *path, unsigned char **buf, size_t *len, Err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT || errno == EACCES || errno == EISDIR ? ERR_INPUT : ERR_RUNTIME,
                       "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, ERR_RUNTIME, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(err, ERR_INPUT, "%s: not a regular file; give the path of a .safetensors file", path);
    }
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX - 1) {
        close(fd);
        return err_set(err, ERR_INPUT, "%s: file too large to load", path);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *b = xmalloc(n + 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(b);
            close(fd);
            return err_set(err, ERR_RUNTIME, "%s: read failed: %s", path, strerror(e));
        }
        if (r == 0)
            break; /* the file shrank while we read it; validate what we have */
        got += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = got;
    return 0;
}

/* The JSON text of the value at header offset at, made printable and cut
 * short, for a message ("1e2", "0.0"). */
static const char *st_token(const StFile *f, size_t at, char *buf, size_t cap)
{
    const char *p = (const char *)f->buf + 8 + at;
    const char *end = (const char *)f->buf + f->buf_len;
    size_t k = 0;
    while (p < end && k + 4 < cap && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\n') {
        unsigned char c = (unsigned char)*p++;
        buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (p < end && k + 4 >= cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

/* Validate one tensor entry and fill t; name is already duplicated into t->name. */
static int st_parse_entry(const StFile *f, const JsonValue *e, size_t data_len, StTensor *t,
                          size_t *begin_out, size_t *end_out, Err *err)
{
    char qn[128];
    const char *path = f->path;
    const char *name = st_quote(t->name, qn, sizeof qn);
    if (e->type != JSON_OBJECT)
        return err_set(err, ERR_INPUT, "%s: header entry for tensor %s is not an object", path, name);
    const JsonValue *dt = json_get(e, "dtype");
    const JsonValue *sh = json_get(e, "shape");
    const JsonValue *off = json_get(e, "data_offsets");
    if (!dt || dt->type != JSON_STRING)
        return err_set(err, ERR_INPUT, "%s: tensor %s has no dtype string in the header", path, name);
    int d = -1;
    for (int i = 0; i < ST_N_DTYPES; i++)
        if (strcmp(dt->string, st_dtype_names[i]) == 0 && strlen(dt->string) == dt->string_len)
            d = i;
    if (d < 0) {
        char qd[64];
        return err_set(err, ERR_INPUT, "%s: tensor %s has unsupported dtype %s; save it as float32", path,
                       name, st_quote(dt->string, qd, sizeof qd));
    }
    t->dtype = (StDtype)d;
    if (!sh || sh->type != JSON_ARRAY)
        return err_set(err, ERR_INPUT, "%s: tensor %s has no shape array in the header", path, name);
    if (sh->count > 8)
        return err_set(err, ERR_INPUT, "%s: tensor %s has %zu dimensions; at most 8 are supported", path,
                       name, sh->count);
    t->ndim = (int)sh->count;
    size_t esize = st_dtype_size(t->dtype);
    size_t nelem = 1;
    for (size_t i = 0; i < sh->count; i++) {
        size_t dim;
        if (st_json_uint(&sh->items[i], &dim) != 0)
            return err_set(err, ERR_INPUT,
                           "%s: tensor %s has shape entry %zu at byte %zu that is not a non-negative integer", path,
                           name, i, 8 + sh->items[i].offset);
        t->shape[i] = (int64_t)dim;
        if (dim != 0 && nelem > SIZE_MAX / esize / dim)
            return err_set(err, ERR_INPUT, "%s: tensor %s has a shape whose size overflows", path, name);
        nelem *= dim;
    }
    t->nelem = nelem;
    size_t begin, end;
    if (!off || off->type != JSON_ARRAY || off->count != 2)
        return err_set(err, ERR_INPUT,
                       "%s: tensor %s needs data_offsets [begin, end] of non-negative integers", path, name);
    for (size_t i = 0; i < 2; i++)
        if (st_json_uint(&off->items[i], i ? &end : &begin) != 0) {
            char tok[32];
            return err_set(err, ERR_INPUT,
                           "%s: tensor %s needs data_offsets [begin, end] of non-negative integers; %s at byte %zu "
                           "is not one",
                           path, name, st_token(f, off->items[i].offset, tok, sizeof tok), 8 + off->items[i].offset);
        }
    if (end < begin)
        return err_set(err, ERR_INPUT, "%s: tensor %s has data_offsets [%zu, %zu] with end before begin",
                       path, name, begin, end);
    if (end - begin != nelem * esize)
        return err_set(err, ERR_INPUT,
                       "%s: tensor %s has data_offsets [%zu, %zu] (%zu bytes) but dtype %s and its shape "
                       "need %zu bytes",
                       path, name, begin, end, end - begin, st_dtype_names[d], nelem * esize);
    if (end > data_len)
        return err_set(err, ERR_INPUT,
                       "%s: tensor %s has data_offsets end %zu past the end of the data section (%zu bytes); "
                       "the file is truncated",
                       path, name, end, data_len);
    *begin_out = begin;
    *end_out = end;
    return 0;
}

static int st_parse(StFile *f, Err *err)
{
    const char *path = f->path;
    if (f->buf_len < 8)
        return err_set(err, ERR_INPUT,
                       "%s: only %zu bytes, shorter than the 8-byte header length; the file is truncated or "
                       "not safetensors",
                       path, f->buf_len);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | f->buf[i];
    if (hlen > f->buf_len - 8)
        return err_set(err, ERR_INPUT,
                       "%s: header length %llu at byte 0 runs past the end of the file (%zu bytes); the file "
                       "is truncated or not safetensors",
                       path, (unsigned long long)hlen, f->buf_len);
    if (hlen > ST_MAX_HEADER)
        return err_set(err, ERR_INPUT, "%s: header length %llu at byte 0 exceeds the 100 MB limit; the file is "
                       "not safetensors", path, (unsigned long long)hlen);
    const char *text = (const char *)f->buf + 8;
    size_t data_start = 8 + (size_t)hlen;
    size_t data_len = f->buf_len - data_start;

    /* The format requires the header to begin with '{' (only trailing padding is allowed). */
    if (hlen > 0 && text[0] != '{') {
        unsigned char c = (unsigned char)text[0];
        char what[16];
        if (c == ' ')
            snprintf(what, sizeof what, "a space");
        else if (c > 0x20 && c < 0x7f)
            snprintf(what, sizeof what, "'%c'", c);
        else
            snprintf(what, sizeof what, "byte 0x%02x", c);
        return err_set(err, ERR_INPUT, "%s: the JSON header at byte 8 is not an object: it starts with %s, not '{'; "
                       "the file is not safetensors", path, what);
    }
    JsonValue root;
    size_t at = 0;
    Err jerr;
    err_clear(&jerr);
    if (json_parse(text, (size_t)hlen, &root, &at, &jerr) != 0)
        return err_set(err, ERR_INPUT, "%s: invalid JSON header at byte %zu: %s; the file is corrupt or not "
                       "safetensors", path, at + 8, jerr.msg);
    int rc = 0;
    StSortItem *items = NULL;
    if (root.type != JSON_OBJECT) {
        rc = err_set(err, ERR_INPUT, "%s: the JSON header at byte 8 is not an object; the file is not safetensors",
                     path);
        goto done;
    }
    if (root.count > (size_t)INT32_MAX) {
        rc = err_set(err, ERR_INPUT, "%s: too many header entries", path);
        goto done;
    }
    /* Duplicate names would make st_find ambiguous: sort the keys and compare neighbours. */
    items = xcalloc(root.count, sizeof *items);
    for (size_t i = 0; i < root.count; i++) {
        items[i].key = root.keys[i];
        items[i].index = i;
    }
    qsort(items, root.count, sizeof *items, st_cmp_key);
    for (size_t i = 1; i < root.count; i++)
        if (strcmp(items[i].key, items[i - 1].key) == 0) {
            char qn[128];
            rc = err_set(err, ERR_INPUT, "%s: header names %s twice", path,
                         st_quote(items[i].key, qn, sizeof qn));
            goto done;
        }

    f->tensors = xcalloc(root.count, sizeof *f->tensors);
    size_t n_ranges = 0;
    for (size_t i = 0; i < root.count; i++) {
        const JsonValue *e = &root.items[i];
        if (strcmp(root.keys[i], "__metadata__") == 0) {
            if (e->type != JSON_OBJECT) {
                rc = err_set(err, ERR_INPUT, "%s: __metadata__ in the header is not an object of strings", path);
                goto done;
            }
            f->meta_keys = xcalloc(e->count, sizeof *f->meta_keys);
            f->meta_values = xcalloc(e->count, sizeof *f->meta_values);
            for (size_t j = 0; j < e->count; j++) {
                if (e->items[j].type != JSON_STRING) {
                    char qn[128];
                    rc = err_set(err, ERR_INPUT, "%s: __metadata__ value %s is not a string", path,
                                 st_quote(e->keys[j], qn, sizeof qn));
                    goto done;
                }
                f->meta_keys[j] = xstrdup(e->keys[j]);
                f->meta_values[j] = xmalloc(e->items[j].string_len + 1);
                memcpy(f->meta_values[j], e->items[j].string, e->items[j].string_len + 1);
                f->n_meta++;
            }
            continue;
        }
        StTensor *t = &f->tensors[f->n_tensors];
        t->name = xstrdup(root.keys[i]);
        f->n_tensors++;
        size_t begin = 0, end = 0;
        rc = st_parse_entry(f, e, data_len, t, &begin, &end, err);
        if (rc)
            goto done;
        t->data = f->buf + data_start + begin;
        items[n_ranges].key = t->name;
        items[n_ranges].begin = begin;
        items[n_ranges].end = end;
        n_ranges++;
    }
    /* As the reference implementation: the tensors, by offset, cover the data
     * section exactly — no overlap, no hole, nothing after the last one. */
    qsort(items, n_ranges, sizeof *items, st_cmp_range);
    size_t covered = 0;
    for (size_t i = 0; i < n_ranges; i++) {
        char qa[128], qb[128];
        if (items[i].begin < covered) {
            rc = err_set(err, ERR_INPUT, "%s: tensors %s and %s have overlapping data_offsets; the file is corrupt",
                         path, st_quote(items[i - 1].key, qa, sizeof qa), st_quote(items[i].key, qb, sizeof qb));
            goto done;
        }
        if (items[i].begin > covered) {
            if (i == 0)
                rc = err_set(err, ERR_INPUT, "%s: bytes %zu..%zu, before tensor %s, belong to no tensor (a hole at "
                             "data offset 0); the file is corrupt", path, data_start, data_start + items[i].begin - 1,
                             st_quote(items[i].key, qb, sizeof qb));
            else
                rc = err_set(err, ERR_INPUT, "%s: bytes %zu..%zu, between tensors %s and %s, belong to no tensor (a "
                             "hole in the data); the file is corrupt", path, data_start + covered,
                             data_start + items[i].begin - 1, st_quote(items[i - 1].key, qa, sizeof qa),
                             st_quote(items[i].key, qb, sizeof qb));
            goto done;
        }
        covered = items[i].end;
    }
    if (covered != data_len) {
        char qa[128];
        if (n_ranges)
            rc = err_set(err, ERR_INPUT, "%s: %zu bytes at byte %zu, after the last tensor %s, belong to no tensor; the "
                         "file is corrupt or has something appended", path, data_len - covered, data_start + covered,
                         st_quote(items[n_ranges - 1].key, qa, sizeof qa));
        else
            rc = err_set(err, ERR_INPUT, "%s: %zu bytes at byte %zu after a header without tensors; the file is corrupt "
                         "or has something appended", path, data_len, data_start);
        goto done;
    }
done:
    free(items);
    json_free(&root);
    return rc;
}

int st_read(StFile *f, const char *path, Err *err)
{
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    int rc = st_read_file(path, &f->buf, &f->buf_len, err);
    if (!rc)
        rc = st_parse(f, err);
    if (rc)
        st_free(f);
    return rc;
}

void st_free(StFile *f)
{
    if (!f)
        return;
    if (f->tensors)
        for (int i = 0; i < f->n_tensors; i++)
            free(f->tensors[i].name);
    free(f->tensors);
    for (int i = 0; i < f->n_meta; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->meta_keys);
    free(f->meta_values);
    free(f->buf);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const StTensor *st_find(const StFile *f, const char *name)
{
    for (int i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

const char *st_meta(const StFile *f, const char *key)
{
    for (int i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta_keys[i], key) == 0)
            return f->meta_values[i];
    return NULL;
}

static int st_host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Copy n elements of size esize from little-endian src (maybe unaligned). */
static void st_copy_le(void *dst, const void *src, size_t n, size_t esize)
{
    if (n == 0)
        return; /* dst or src may be NULL for an empty tensor */
    memcpy(dst, src, n * esize);
    if (esize > 1 && !st_host_is_le()) {
        unsigned char *p = dst;
        for (size_t i = 0; i < n; i++, p += esize)
            for (size_t a = 0, b = esize - 1; a < b; a++, b--) {
                unsigned char tmp = p[a];
                p[a] = p[b];
                p[b] = tmp;
            }
    }
}

static int st_get_typed(const StFile *f, const char *name, StDtype want, void *out, size_t n, Err *err)
{
    const char *path = f->path ? f->path : "(safetensors)";
    const StTensor *t = st_find(f, name);
    if (!t)
        return err_set(err, ERR_INPUT, "%s: tensor \"%s\" is missing", path, name);
    if (t->dtype != want)
        return err_set(err, ERR_INPUT, "%s: tensor \"%s\" has dtype %s, expected %s", path, name,
                       st_dtype_name(t->dtype), st_dtype_name(want));
    if (t->nelem != n)
        return err_set(err, ERR_INPUT, "%s: tensor \"%s\" has %zu elements, expected %zu", path, name, t->nelem,
                       n);
    st_copy_le(out, t->data, n, st_dtype_size(want));
    return 0;
}

int st_get_f32(const StFile *f, const char *name, float *out, size_t n, Err *err)
{
    return st_get_typed(f, name, ST_F32, out, n, err);
}

int st_get_i64(const StFile *f, const char *name, int64_t *out, size_t n, Err *err)
{
    return st_get_typed(f, name, ST_I64, out, n, err);
}

int st_get_f64(const StFile *f, const char *name, double *out, size_t n, Err *err)
{
    return st_get_typed(f, name, ST_F64, out, n, err);
}

/* ------------------------------------------------------------------ writing */

typedef struct {
    char *name;
    StDtype dtype;
    int ndim;
    int64_t shape[8];
    unsigned char *data; /* (nbytes) little-endian */
    size_t nbytes;
    int bad;             /* shape was invalid when added; reported by save */
} StEntry;

struct StWriter {
    StEntry *entries; /* (n) in insertion order */
    size_t n, cap;
    char **meta_keys;   /* (n_meta) */
    char **meta_values; /* (n_meta) */
    size_t n_meta, cap_meta;
};

StWriter *st_writer_new(void)
{
    return xcalloc(1, sizeof(StWriter));
}

void st_writer_free(StWriter *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->entries[i].name);
        free(w->entries[i].data);
    }
    free(w->entries);
    for (size_t i = 0; i < w->n_meta; i++) {
        free(w->meta_keys[i]);
        free(w->meta_values[i]);
    }
    free(w->meta_keys);
    free(w->meta_values);
    free(w);
}

void st_add_raw(StWriter *w, const char *name, StDtype dtype, const void *data, int ndim,
                const int64_t *shape)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->entries = xrealloc(w->entries, w->cap * sizeof *w->entries);
    }
    StEntry *e = &w->entries[w->n++];
    memset(e, 0, sizeof *e);
    e->name = xstrdup(name);
    e->dtype = dtype;
    if (ndim < 0 || ndim > 8 || (int)dtype < 0 || (int)dtype >= ST_N_DTYPES) {
        e->bad = 1;
        return;
    }
    e->ndim = ndim;
    size_t esize = st_dtype_size(dtype);
    size_t nelem = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (uint64_t)shape[i] > (uint64_t)ST_MAX_INT ||
            (shape[i] != 0 && nelem > SIZE_MAX / esize / (size_t)shape[i])) {
            e->bad = 1;
            return;
        }
        e->shape[i] = shape[i];
        nelem *= (size_t)shape[i];
    }
    e->nbytes = nelem * esize;
    e->data = xmalloc(e->nbytes);
    st_copy_le(e->data, data, nelem, esize); /* the same swap turns host order into LE */
}

void st_add_f32(StWriter *w, const char *name, const float *data, int ndim, const int64_t *shape)
{
    st_add_raw(w, name, ST_F32, data, ndim, shape);
}

void st_add_meta(StWriter *w, const char *key, const char *value)
{
    for (size_t i = 0; i < w->n_meta; i++)
        if (strcmp(w->meta_keys[i], key) == 0) {
            free(w->meta_values[i]);
            w->meta_values[i] = xstrdup(value);
            return;
        }
    if (w->n_meta == w->cap_meta) {
        w->cap_meta = w->cap_meta ? w->cap_meta * 2 : 16;
        w->meta_keys = xrealloc(w->meta_keys, w->cap_meta * sizeof *w->meta_keys);
        w->meta_values = xrealloc(w->meta_values, w->cap_meta * sizeof *w->meta_values);
    }
    w->meta_keys[w->n_meta] = xstrdup(key);
    w->meta_values[w->n_meta] = xstrdup(value);
    w->n_meta++;
}

static int st_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Check names before touching the disk, so a bad writer leaves the old file alone. */
static int st_writer_check(const StWriter *w, const char *path, Err *err)
{
    char **names = xmalloc((w->n ? w->n : 1) * sizeof *names);
    int rc = 0;
    for (size_t i = 0; i < w->n; i++) {
        const StEntry *e = &w->entries[i];
        if (e->bad) {
            rc = err_set(err, ERR_RUNTIME, "cannot save %s: tensor \"%s\" has an invalid dtype or shape", path,
                         e->name);
            goto out;
        }
        if (strcmp(e->name, "__metadata__") == 0) {
            rc = err_set(err, ERR_RUNTIME, "cannot save %s: \"__metadata__\" is reserved, not a tensor name",
                         path);
            goto out;
        }
        names[i] = e->name;
    }
    qsort(names, w->n, sizeof *names, st_cmp_str);
    for (size_t i = 1; i < w->n; i++)
        if (strcmp(names[i], names[i - 1]) == 0) {
            rc = err_set(err, ERR_RUNTIME, "cannot save %s: tensor \"%s\" added twice", path, names[i]);
            goto out;
        }
out:
    free(names);
    return rc;
}

/* The header as the reference implementation lays it out: __metadata__ first,
 * then the tensors (here in insertion order), padded with spaces so the data
 * section starts at a multiple of 8 bytes. */
static void st_writer_header(const StWriter *w, StrBuf *h)
{
    strbuf_append_str(h, "{");
    int first = 1;
    if (w->n_meta) {
        strbuf_append_str(h, "\"__metadata__\":{");
        for (size_t i = 0; i < w->n_meta; i++) {
            if (i)
                strbuf_append_str(h, ",");
            strbuf_append_json_string(h, w->meta_keys[i], strlen(w->meta_keys[i]));
            strbuf_append_str(h, ":");
            strbuf_append_json_string(h, w->meta_values[i], strlen(w->meta_values[i]));
        }
        strbuf_append_str(h, "}");
        first = 0;
    }
    size_t offset = 0;
    for (size_t i = 0; i < w->n; i++) {
        const StEntry *e = &w->entries[i];
        if (!first)
            strbuf_append_str(h, ",");
        first = 0;
        strbuf_append_json_string(h, e->name, strlen(e->name));
        strbuf_appendf(h, ":{\"dtype\":\"%s\",\"shape\":[", st_dtype_names[e->dtype]);
        for (int d = 0; d < e->ndim; d++)
            strbuf_appendf(h, "%s%lld", d ? "," : "", (long long)e->shape[d]);
        strbuf_appendf(h, "],\"data_offsets\":[%zu,%zu]}", offset, offset + e->nbytes);
        offset += e->nbytes;
    }
    strbuf_append_str(h, "}");
    while (h->len % 8)
        strbuf_append_str(h, " ");
}

static int st_write_all(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The process umask, read without changing it (umask(2) would race other threads). */
static mode_t st_umask(void)
{
    mode_t m = 022;
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return m;
    char line[256];
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "Umask:", 6) == 0) {
            m = (mode_t)strtoul(line + 6, NULL, 8);
            break;
        }
    fclose(fp);
    return m;
}

int st_check_save_path(const char *path, Err *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return err_set(err, ERR_INPUT, "cannot save %s: it is a directory; give a file name", path);
        /* rename() would replace a FIFO or a device node (as root, /dev/null
         * itself) with a regular file */
        if (!S_ISREG(st.st_mode))
            return err_set(err, ERR_INPUT, "cannot save %s: it exists and is not a regular file; give another "
                           "path", path);
    }
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(err, ERR_INPUT, "cannot save %s: directory %s does not exist", path, dir);
    if (access(dir, W_OK) != 0)
        return err_set(err, ERR_INPUT, "cannot save %s: directory %s is not writable (%s)", path, dir,
                       strerror(errno));
    return 0;
}


/* Temporaries a save to base left in dir when its process died (kill -9, a
 * power cut): ".BASE.tmpXXXXXX". A live save holds an exclusive flock on its
 * temporary until the rename, so one whose lock can be taken is an orphan. */
static void st_remove_stale_temporaries(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t blen = strlen(base);
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *n = ent->d_name;
        if (n[0] != '.' || strncmp(n + 1, base, blen) != 0 || strncmp(n + 1 + blen, ".tmp", 4) != 0 ||
            strlen(n + 1 + blen + 4) != 6)
            continue;
        int fd = openat(dirfd(d), n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat sb;
        /* two seconds old too: a save that has just made its file takes the lock a
         * moment later (microseconds); a live save holds it and keeps writing */
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && time(NULL) - sb.st_mtime >= 2 &&
            flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dirfd(d), n, 0);
        close(fd);
    }
    closedir(d);
}

int st_writer_save(const StWriter *w, const char *path, Err *err)
{
    int rc = st_writer_check(w, path, err);
    if (rc)
        return rc;
    if ((rc = paths_make_parent(path, err)) != 0 || (rc = st_check_save_path(path, err)) != 0)
        return rc;

    /* The temporary file lives in the target's directory so rename() is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) : 0;
    char *dir = slash ? xmalloc(dir_len + 2) : xstrdup(".");
    if (slash) {
        memcpy(dir, path, dir_len ? dir_len : 1); /* "/x" -> "/" */
        dir[dir_len ? dir_len : 1] = '\0';
    }
    const char *base = slash ? slash + 1 : path;
    StrBuf tmp;
    strbuf_init(&tmp);
    strbuf_appendf(&tmp, "%s/.%s.tmpXXXXXX", dir, base);

    StrBuf h;
    strbuf_init(&h);
    st_writer_header(w, &h);

    st_remove_stale_temporaries(dir, base);
    int fd = mkstemp(tmp.data);
    if (fd >= 0)
        flock(fd, LOCK_EX); /* ours until the rename: no other save takes it for an orphan */
    if (fd < 0) {
        rc = err_set(err, ERR_RUNTIME, "cannot save %s: cannot create a temporary file in %s: %s", path, dir,
                     strerror(errno));
        goto out;
    }
    const char *what = "write";
    unsigned char len8[8];
    uint64_t hl = h.len;
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)(hl >> (8 * i));
    int fail = fchmod(fd, 0666 & ~st_umask()) != 0;
    if (fail)
        what = "chmod";
    if (!fail)
        fail = st_write_all(fd, len8, 8) || st_write_all(fd, h.data, h.len);
    for (size_t i = 0; i < w->n && !fail; i++)
        fail = st_write_all(fd, w->entries[i].data, w->entries[i].nbytes);
    if (!fail && fsync(fd) != 0) {
        fail = 1;
        what = "fsync";
    }
    int e = errno;
    /* renamed while still open (and locked), then closed */
    if (!fail && rename(tmp.data, path) != 0) {
        fail = 1;
        e = errno;
        what = "rename";
    }
    if (close(fd) != 0 && !fail) {
        rc = err_set(err, ERR_RUNTIME, "saved %s but closing it failed: %s", path, strerror(errno));
        goto out;
    }
    if (fail) {
        unlink(tmp.data);
        rc = err_set(err, ERR_RUNTIME, "cannot save %s: %s failed: %s; the previous file is unchanged", path,
                     what, strerror(e));
        goto out;
    }
    /* Make the rename itself durable. Some filesystems refuse fsync on a
     * directory (EINVAL); the data is already safely in place then. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0 && errno == EIO)
            rc = err_set(err, ERR_RUNTIME, "saved %s but fsync of directory %s failed: %s", path, dir,
                         strerror(errno));
        close(dfd);
    }
out:
    strbuf_free(&h);
    strbuf_free(&tmp);
    free(dir);
    return rc;
}
