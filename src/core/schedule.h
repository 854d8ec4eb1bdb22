/* schedule.h — learning-rate schedules: the lr of a step as a pure function
 * of the step index.
 *
 * A closed form rather than PyTorch's stateful schedulers, so that a resumed
 * run, a Lua hook or the dashboard can ask for any step's lr without replaying
 * the run. The values match PyTorch 1.13 (within float rounding):
 *   constant  base_lr
 *   step      StepLR(step_size, gamma): base_lr * gamma^floor(step / step_size)
 *   cosine    CosineAnnealingLR(T_max = total, eta_min = min_lr) for steps
 *             0..total; after total it holds min_lr (PyTorch's would climb again)
 *   warmup    LinearLR(start_factor = 1/warmup, end_factor = 1,
 *             total_iters = warmup): a factor rising linearly from 1/warmup at
 *             step 0 to 1 at step `warmup`, multiplied into any of the above
 *             (PyTorch's ChainedScheduler([LinearLR, ...]) semantics).
 * Not here: changing lr from a script (the trainer overrides base_lr), the
 * optimizer itself (optim.h).
 */
#ifndef RNNSCOPE_SCHEDULE_H
#define RNNSCOPE_SCHEDULE_H

typedef enum { SCHED_CONSTANT, SCHED_STEP, SCHED_COSINE } SchedType;

typedef struct {
    SchedType type;
    float base_lr;
    long warmup;      /* LinearLR warmup steps (factor 1/warmup at step 0, 1 from step warmup); 0 = none */
    long step_size;   /* step decay: multiply by gamma every step_size steps; <= 0 = never */
    float gamma;
    long total;       /* cosine: steps over which lr goes from base_lr to min_lr; <= 0 = constant */
    float min_lr;
} Schedule;

/* A constant schedule at base_lr of type t, with PyTorch's StepLR gamma (0.1)
 * and every other field 0; callers set step_size or total. */
void schedule_default(Schedule *s, SchedType t, float base_lr);
int schedule_parse(const char *s, SchedType *out); /* "constant","step","cosine"; 0 ok, -1 unknown */
const char *schedule_name(SchedType t);
float schedule_lr(const Schedule *s, long step); /* lr for the step with 0-based index `step` */

#endif
