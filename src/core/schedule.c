/* schedule.c — the lr of step `step` under a constant, step-decay or cosine
 * schedule with an optional linear warmup (definitions in schedule.h).
 *
 * Computed in double from the closed forms PyTorch documents (its schedulers
 * update the lr recursively; the two agree to ~1e-15), then rounded to float.
 * Not here: the optimizer (optim.c) or who changes base_lr mid-run (trainer).
 */
#include "schedule.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

static const char *const schedule_names[] = {"constant", "step", "cosine"};

void schedule_default(Schedule *s, SchedType t, float base_lr)
{
    memset(s, 0, sizeof *s);
    s->type = t;
    s->base_lr = base_lr;
    s->gamma = 0.1f;
}

int schedule_parse(const char *s, SchedType *out)
{
    for (int i = 0; i < (int)(sizeof schedule_names / sizeof schedule_names[0]); i++) {
        if (s && strcmp(s, schedule_names[i]) == 0) {
            *out = (SchedType)i;
            return 0;
        }
    }
    return -1;
}

const char *schedule_name(SchedType t)
{
    if ((int)t < 0 || (int)t >= (int)(sizeof schedule_names / sizeof schedule_names[0]))
        return "unknown";
    return schedule_names[t];
}

float schedule_lr(const Schedule *s, long step)
{
    const double pi = 3.14159265358979323846; /* math.pi */
    double base = s->base_lr, lr = base;
    if (step < 0)
        step = 0;
    switch (s->type) {
    case SCHED_CONSTANT:
        break;
    case SCHED_STEP:
        if (s->step_size > 0)
            lr = base * pow((double)s->gamma, (double)(step / s->step_size));
        break;
    case SCHED_COSINE:
        if (s->total > 0) {
            double eta_min = s->min_lr;
            long t = step < s->total ? step : s->total;
            lr = eta_min + (base - eta_min) * (1.0 + cos(pi * (double)t / (double)s->total)) / 2.0;
        }
        break;
    }
    if (s->warmup > 0 && step < s->warmup) {
        double start = 1.0 / (double)s->warmup;
        lr *= start + (1.0 - start) * (double)step / (double)s->warmup;
    }
    return (float)lr;
}
