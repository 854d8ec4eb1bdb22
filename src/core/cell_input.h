/* cell_input.h — where the gate rows of a recurrent step start from.
 *
 * A layer's input projection x W_ih^T + biases normally fills the gate rows
 * of the whole chunk before the recurrence runs (a large product). Layer 0 of
 * a model with a per-token projection table (model.c) has nothing to
 * multiply: each row is one row of the table. Copying those rows step by
 * step, just before the step's product adds into them, keeps them in cache;
 * copied for the whole chunk beforehand (megabytes), they had left it by the
 * time the step came. The copies are the same values either way.
 */
#ifndef RNNSCOPE_CELL_INPUT_H
#define RNNSCOPE_CELL_INPUT_H

#include <stddef.h>
#include <string.h>

typedef struct {
    const float *table; /* (V, G): the projection of every token, biases folded in */
    const int *ids;     /* (T*B): the token of each row */
} CellInput;

/* With in non-NULL: rows r0..r0+n-1 of gates (row stride G) become the table
 * rows of their tokens. With in NULL the rows already hold their projection. */
static inline void cell_input_rows(const CellInput *in, float *gates, size_t r0, int n, int G)
{
    if (!in)
        return;
    for (int i = 0; i < n; i++)
        memcpy(gates + (r0 + i) * (size_t)G, in->table + (size_t)in->ids[r0 + i] * G, (size_t)G * sizeof *gates);
}

#endif
