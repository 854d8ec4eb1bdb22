/* progress.h — what headless training shows while it runs.
 *
 * On a terminal: one line redrawn in place (\r, clear to end of line) at most
 * ten times a second — a bar, step, loss, validation loss, tokens/s and ETA,
 * in the longest of five forms that is narrower than the terminal, so it never
 * wraps. When stderr is not a terminal (a pipe, a CI log), or TERM is unset or
 * "dumb": a plain newline-terminated line every ten seconds and after each
 * evaluation, without escape codes.
 */
#ifndef RNNSCOPE_PROGRESS_H
#define RNNSCOPE_PROGRESS_H

#include <stdio.h>

#include "trainer.h"

typedef struct {
    FILE *out;
    int tty;
    long total;         /* steps of the run; 0 = open-ended */
    long first_step;    /* step count when this session started */
    double start_s;     /* monotonic seconds at start */
    double last_draw_s;
    double tokens_per_s; /* smoothed */
    float loss_ema;
    float val_loss;     /* NAN until the first evaluation */
    int drawn;
} Progress;

void progress_init(Progress *p, FILE *out, long total, long first_step, float val_loss);
void progress_update(Progress *p, const StepInfo *s);
/* End the in-place line (if any) so the next message starts on a new line. */
void progress_finish(Progress *p);

double progress_now_s(void);

#endif
