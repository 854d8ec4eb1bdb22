/* keep_best.h — the best checkpoint by validation loss, next to the latest.
 *
 * trainer_step tracks the lowest validation loss of its validation passes
 * (Trainer.best_val_loss, best_step; saved in the checkpoint, so a resumed run
 * goes on comparing with its best so far). After a step whose pass set a new
 * best, keep_best_step saves the run, atomically and through the overwrite
 * guard (run_guard.h), to the latest file's companion: RUN.safetensors ->
 * RUN.best.safetensors (any other name gets ".best.safetensors" appended).
 * Used by `rnnscope train --keep-best` and the dashboard's trainer thread.
 */
#ifndef RNNSCOPE_KEEP_BEST_H
#define RNNSCOPE_KEEP_BEST_H

#include <stddef.h>

#include "err.h"
#include "step_info.h"
#include "trainer.h"

/* RUN.safetensors -> RUN.best.safetensors. */
void keep_best_path(const char *latest, char *out, size_t cap);

/* After trainer_step filled info: when info->evaluated and that pass is the
 * run's best so far, save it to keep_best_path(latest). latest NULL or ""
 * (a run with nowhere to be saved) does nothing. *saved (may be NULL) is 1
 * when it wrote. force skips the guard. 0, or the save's error. */
int keep_best_step(const Trainer *t, const char *latest, const StepInfo *info, int force, int *saved, Err *err);

#endif
