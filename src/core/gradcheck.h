/* gradcheck.h — analytic gradients against central differences.
 *
 * Builds a small model (V=7, E=4, H=5, T=8, B=8, random non-zero initial
 * state), runs model_forward + model_backward once, then for every tensor
 * compares each analytic gradient element (a sample of at most
 * GRADCHECK_MAX_PER_TENSOR for big tensors) with a fourth-order central
 * difference of the double-accumulated loss. Not a benchmark and not a test
 * harness: it reports numbers, the caller judges them.
 */
#ifndef RNNSCOPE_GRADCHECK_H
#define RNNSCOPE_GRADCHECK_H

#include <stdint.h>

#include "err.h"
#include "model.h"

enum { GRADCHECK_MAX_PER_TENSOR = 200 };

typedef struct {
    char name[48];         /* state_dict name of the tensor */
    double max_rel_err;    /* worst |a - n| / max(|a| + |n|, 1e-4) over the checked elements */
    double max_abs_err;    /* worst |a - n| over the checked elements */
    double max_abs_grad;   /* largest |analytic gradient| of the tensor */
    int n_checked;         /* elements compared */
} GradcheckRow;

typedef struct {
    CellType cell;
    int layers;
    uint64_t seed;
    /* 0: dropout off. > 0: forward in train mode with the same masks for
     * every evaluation (the rng is reseeded), so dropout's backward is checked. */
    float dropout;
    /* -1: none. Otherwise element 0 of this tensor's analytic gradient is
     * shifted by 0.1 * the tensor's largest |gradient| before comparing, to
     * show that the check can fail. */
    int corrupt_tensor;
} GradcheckOptions;

/* One row per tensor into rows (at most max_rows); returns the number of rows,
 * or -1 with err filled (ERR_INPUT for a bad cell or layer count,
 * ERR_RUNTIME if max_rows is too small). */
int gradcheck_run_opts(const GradcheckOptions *opt, GradcheckRow *rows, int max_rows, Err *err);

/* gradcheck_run_opts with dropout off and nothing corrupted. */
int gradcheck_run(CellType cell, int layers, uint64_t seed, GradcheckRow *rows, int max_rows,
                  Err *err);

#endif
