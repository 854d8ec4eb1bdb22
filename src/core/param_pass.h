/* param_pass.h — the per-step passes over every parameter, on the step's threads.
 *
 * After the backward, a training step reads or writes the whole parameter
 * buffer several times: gradient norms (per tensor and per gate block),
 * global-norm clipping, the optimizer update, the update-to-weight ratios.
 * At H=512 that is millions of elements a pass, worth sharing between the
 * threads that ran the backward. The buffer is cut once into fixed segments
 * that never cross a tensor or a gate block; each pass hands whole segments to
 * threads and keeps one partial sum per segment, and the caller adds them in
 * segment order — so the results are the same whatever the thread count.
 */
#ifndef RNNSCOPE_PARAM_PASS_H
#define RNNSCOPE_PARAM_PASS_H

#include <stddef.h>

#include "model.h"
#include "optim.h"
#include "pool.h"

typedef struct {
    int n_seg;
    int *tensor;        /* (n_seg) index of the tensor the segment lies in */
    int *gate;          /* (n_seg) gate block of a layer tensor's rows, -1 for others */
    size_t *begin;      /* (n_seg) first element, in the parameter buffer */
    size_t *end;        /* (n_seg) one past the last */
    double *grad_ss;    /* (n_seg) sum of squared gradients */
    double *diff_ss;    /* (n_seg) sum of squared updates (new - old) */
    double *weight_ss;  /* (n_seg) sum of squared old weights */
    int *nonfinite;     /* (n_seg) 1 if an updated parameter is NaN or infinite */
} ParamPass;

void param_pass_init(ParamPass *p, const Model *m);
void param_pass_free(ParamPass *p);

/* grad_ss of every segment. */
void param_pass_grad_sums(ParamPass *p, Pool *pool, const Model *m);
/* Multiply every gradient by coef. */
void param_pass_scale_grads(ParamPass *p, Pool *pool, Model *m, float coef);
/* One optimizer step of every segment: the old parameters are kept in before
 * (n_params), nonfinite is set, and with ratios also diff_ss and weight_ss.
 * The caller ends the step with optim_step_end. */
void param_pass_update(ParamPass *p, Pool *pool, Model *m, Optim *o, float lr, float *before, int ratios);

#endif
