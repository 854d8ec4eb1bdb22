/* optim.h — optimizers and gradient clipping over one flat parameter buffer.
 *
 * The model keeps every parameter in one contiguous float buffer and every
 * gradient in another of the same layout, so an optimizer step, a norm and a
 * clip are single loops over n floats. The update rules are PyTorch 1.13's
 * torch.optim (single-tensor path) with the same float32 order of operations,
 * so a run can be checked value by value against PyTorch.
 *
 * Not here: learning-rate schedules (schedule.h), saving optimizer state
 * (the checkpoint code writes Optim.m, Optim.v and Optim.t itself), per-layer
 * norms (diagnostics pass sub-ranges of the buffer to grad_norm).
 */
#ifndef RNNSCOPE_OPTIM_H
#define RNNSCOPE_OPTIM_H

#include <stddef.h>

#include "err.h"

typedef enum { OPTIM_SGD, OPTIM_ADAGRAD, OPTIM_RMSPROP, OPTIM_ADAM, OPTIM_ADAMW } OptimType;

typedef struct {
    OptimType type;
    float momentum;     /* sgd: 0 = plain (dampening is always 0) */
    int nesterov;       /* sgd: needs momentum > 0 */
    float alpha;        /* rmsprop smoothing constant (not centered, no momentum) */
    float beta1, beta2; /* adam, adamw */
    float eps;          /* adagrad, rmsprop, adam, adamw */
    float weight_decay; /* L2 added to the gradient; decoupled for adamw */
} OptimConfig;

/* PyTorch's defaults for that optimizer (lr is not part of the config). */
void optim_config_default(OptimConfig *c, OptimType t);
/* "sgd","adagrad","rmsprop","adam","adamw"; 0 ok, -1 unknown. */
int optim_parse(const char *s, OptimType *out);
const char *optim_name(OptimType t);
/* Reject configurations PyTorch rejects (negative momentum or decay, betas
 * outside [0, 1), nesterov without momentum, ...): ERR_INPUT naming the field. */
int optim_config_check(const OptimConfig *c, Err *err);

typedef struct {
    OptimConfig cfg;
    size_t n;   /* number of parameters */
    long t;     /* steps taken */
    float *m;   /* (n) momentum buffer / first moment / adagrad sum / rmsprop mean square; NULL if unused */
    float *v;   /* (n) second moment (adam, adamw); NULL otherwise */
} Optim;

void optim_init(Optim *o, const OptimConfig *c, size_t n); /* buffers zeroed, t = 0 */
void optim_free(Optim *o);
/* Zero the state (buffers and t), as a fresh torch.optim would have. */
void optim_reset(Optim *o);
/* One update of params (n) from grads (n) with learning rate lr; no allocation. */
void optim_step(Optim *o, float *params, const float *grads, float lr);
/* The same update split in pieces: optim_step_range updates elements
 * [begin, end) as the coming step (number t + 1) does, and may run for
 * disjoint ranges on different threads; optim_step_end then counts the step.
 * Every element is updated independently, so the result does not depend on
 * how the range is split. */
void optim_step_range(Optim *o, float *params, const float *grads, float lr, size_t begin, size_t end);
void optim_step_end(Optim *o);

/* Gradient norms and clipping */
double grad_norm(const float *g, size_t n);  /* L2, accumulated in double */
/* Scale g so its global L2 norm is at most max_norm (torch.nn.utils.clip_grad_norm_
 * semantics, including its 1e-6); returns the norm before clipping; *clipped
 * (if non-NULL) = 1 if it scaled. */
/* The factor clip_global_norm scales by for a gradient of this norm (>= 1:
 * no clipping). */
float clip_coef(float norm, float max_norm);
float clip_global_norm(float *g, size_t n, float max_norm, int *clipped);
/* Clamp every element to [-limit, limit] (char-rnn's grad_clip,
 * torch.nn.utils.clip_grad_value_); returns how many were clamped. */
size_t clip_elementwise(float *g, size_t n, float limit);

#endif
