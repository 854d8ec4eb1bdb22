/* safetensors.h — reading and writing safetensors files.
 *
 * Format: 8-byte little-endian header length N, N bytes of JSON header
 * ({"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "string value", ...}}), then the raw little-endian
 * tensor data; data_offsets are relative to the first byte after the header.
 *
 * The reader validates everything before it hands out a tensor, as strictly as
 * the format's specification: header length within the file, a header that
 * begins with '{' (trailing whitespace padding allowed), well-formed JSON,
 * known dtype, shape and data_offsets written as integers (not 0.0 or 1e2),
 * shape agreeing with the byte range, and the ranges covering the data section
 * exactly: no overlap, no hole between tensors, no bytes after the last one.
 * Each failure is one line naming the file and, where it helps, the byte
 * offset (ERR_INPUT).
 *
 * The writer collects tensors and metadata and saves atomically: a temporary
 * file in the same directory, fsync, rename, fsync of the directory. A failed
 * save leaves any previous file at the path intact.
 */
#ifndef RNNSCOPE_SAFETENSORS_H
#define RNNSCOPE_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { ST_F32 = 0, ST_F64, ST_I32, ST_I64, ST_U8, ST_F16, ST_BF16 } StDtype;

typedef struct {
    char *name;
    StDtype dtype;
    int ndim;            /* 0..8 */
    int64_t shape[8];
    size_t nelem;        /* product of shape (1 for a scalar) */
    const void *data;    /* points into StFile.data; little-endian, maybe unaligned */
} StTensor;

typedef struct {
    char *path;
    int n_tensors;
    StTensor *tensors;   /* (n_tensors) in file order */
    int n_meta;
    char **meta_keys;    /* (n_meta) */
    char **meta_values;  /* (n_meta) */
    unsigned char *buf;  /* the whole file */
    size_t buf_len;
} StFile;

/* Read and validate path. On failure *f is left empty (st_free is safe). */
int st_read(StFile *f, const char *path, Err *err);
void st_free(StFile *f);
const StTensor *st_find(const StFile *f, const char *name); /* NULL if absent */
const char *st_meta(const StFile *f, const char *key);      /* NULL if absent */
/* Copy tensor `name` into out as float32. Fails (ERR_INPUT, naming the file and
 * tensor) if absent, not F32, or its element count is not n. */
int st_get_f32(const StFile *f, const char *name, float *out, size_t n, Err *err);
/* The same for an I64 tensor (counters, RNG state). */
int st_get_i64(const StFile *f, const char *name, int64_t *out, size_t n, Err *err);
/* The same for an F64 tensor (a run's record). */
int st_get_f64(const StFile *f, const char *name, double *out, size_t n, Err *err);
const char *st_dtype_name(StDtype d); /* "F32", ... */

typedef struct StWriter StWriter;

StWriter *st_writer_new(void);
void st_writer_free(StWriter *w);
/* Add a float32 tensor; data is copied. ndim 0..8. */
void st_add_f32(StWriter *w, const char *name, const float *data, int ndim, const int64_t *shape);
/* Add raw bytes of another dtype (e.g. ST_I64 for counters); data is copied. */
void st_add_raw(StWriter *w, const char *name, StDtype dtype, const void *data, int ndim,
                const int64_t *shape);
void st_add_meta(StWriter *w, const char *key, const char *value);
/* Whether path can be saved to: ERR_INPUT if it is a directory or another
 * non-regular file (a FIFO, a device node: rename would replace it), or its
 * directory is missing or not writable. st_writer_save checks it too; callers
 * check it early so that a long run does not fail only when it first saves. */
int st_check_save_path(const char *path, Err *err);
/* Write atomically; tensors are stored in the order they were added. */
int st_writer_save(const StWriter *w, const char *path, Err *err);

#endif
