/* token_ids.c — token ids in 1, 2 or 4 bytes each (see token_ids.h). */
#include "token_ids.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

int token_ids_width(int vocab_size)
{
    if (vocab_size <= 256)
        return 1;
    if (vocab_size <= 65536)
        return 2;
    return 4;
}

void token_ids_init(TokenIds *a, int vocab_size)
{
    memset(a, 0, sizeof *a);
    a->width = token_ids_width(vocab_size);
}

void token_ids_free(TokenIds *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

void token_ids_reserve(TokenIds *a, size_t cap)
{
    if (cap <= a->cap)
        return;
    a->data = xrealloc(a->data, cap * (size_t)a->width);
    a->cap = cap;
}

void token_ids_push(TokenIds *a, const int *ids, size_t n, size_t max_total)
{
    if (a->n + n > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : (size_t)1 << 16;
        if (cap < a->n + n)
            cap = a->n + n;
        if (max_total >= a->n + n && cap > max_total)
            cap = max_total;
        token_ids_reserve(a, cap);
    }
    size_t at = a->n;
    switch (a->width) {
    case 1: {
        uint8_t *d = (uint8_t *)a->data + at;
        for (size_t i = 0; i < n; i++)
            d[i] = (uint8_t)ids[i];
        break;
    }
    case 2: {
        uint16_t *d = (uint16_t *)a->data + at;
        for (size_t i = 0; i < n; i++)
            d[i] = (uint16_t)ids[i];
        break;
    }
    default:
        memcpy((int32_t *)a->data + at, ids, n * sizeof(int32_t));
        break;
    }
    a->n += n;
}

void token_ids_fit(TokenIds *a)
{
    if (a->cap == a->n || a->n == 0)
        return;
    a->data = xrealloc(a->data, a->n * (size_t)a->width);
    a->cap = a->n;
}

void token_ids_slice(TokenIds *dst, const TokenIds *src, size_t from, size_t n)
{
    memset(dst, 0, sizeof *dst);
    dst->width = src->width;
    token_ids_reserve(dst, n ? n : 1);
    memcpy(dst->data, (const char *)src->data + from * (size_t)src->width, n * (size_t)src->width);
    dst->n = n;
}

void token_ids_copy(const TokenIds *a, size_t from, size_t n, int *out)
{
    switch (a->width) {
    case 1: {
        const uint8_t *s = (const uint8_t *)a->data + from;
        for (size_t i = 0; i < n; i++)
            out[i] = s[i];
        break;
    }
    case 2: {
        const uint16_t *s = (const uint16_t *)a->data + from;
        for (size_t i = 0; i < n; i++)
            out[i] = s[i];
        break;
    }
    default:
        memcpy(out, (const int32_t *)a->data + from, n * sizeof(int32_t));
        break;
    }
}

size_t token_ids_bytes(const TokenIds *a)
{
    return a->n * (size_t)a->width;
}
