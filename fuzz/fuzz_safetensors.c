/* fuzz_safetensors.c — libFuzzer target for the safetensors reader (st_read,
 * safetensors.c): any file must yield a validated StFile or one ERR_INPUT line,
 * never an out-of-bounds access. A file that is accepted is then read through
 * every public getter, touching each tensor's whole byte range, so a range the
 * validation let through past the buffer shows up under ASan.
 *
 * Input: one byte choosing the file as is or with its header length fixed
 * (fuzz_st_input in fuzz_util.h), then the file.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_util.h"
#include "safetensors.h"

static size_t esize(StDtype d)
{
    static const size_t s[] = {4, 8, 4, 8, 1, 2, 2};
    return s[d];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *fixed;
    const uint8_t *bytes = fuzz_st_input(data, size, &n, &fixed);
    const char *path = fuzz_tmp_write(bytes, n, ".safetensors");
    free(fixed);
    StFile f;
    Err err;
    err_clear(&err);
    if (st_read(&f, path, &err) != 0) {
        if (!err.msg[0])
            abort(); /* a failure always says why */
        st_free(&f);
        return 0;
    }
    volatile unsigned sum = 0;
    for (int i = 0; i < f.n_tensors; i++) {
        const StTensor *t = &f.tensors[i];
        if (st_find(&f, t->name) != t)
            abort(); /* names are unique */
        size_t nb = t->nelem * esize(t->dtype);
        const unsigned char *p = t->data;
        for (size_t k = 0; k < nb; k++)
            sum += p[k];
        void *out = malloc(nb ? nb : 1);
        Err e;
        if (t->dtype == ST_F32)
            st_get_f32(&f, t->name, out, t->nelem, &e);
        else if (t->dtype == ST_I64)
            st_get_i64(&f, t->name, out, t->nelem, &e);
        else if (t->dtype == ST_F64)
            st_get_f64(&f, t->name, out, t->nelem, &e);
        st_get_f32(&f, t->name, out, t->nelem + 1, &e); /* a count mismatch is refused */
        free(out);
    }
    for (int i = 0; i < f.n_meta; i++)
        sum += (unsigned)strlen(st_meta(&f, f.meta_keys[i]));
    (void)sum;
    st_free(&f);
    return 0;
}
