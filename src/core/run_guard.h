/* run_guard.h — a save never silently replaces a different run.
 *
 * Every run gets a random id when trainer_init starts it ("run.id" in the
 * checkpoint metadata); trainer_resume keeps it. A save may replace the file
 * at a path only when that file is missing, or holds this same run at the same
 * step or an earlier one (its own file, a file it was resumed from, an earlier
 * save of it), or is the file this run was resumed from (also an id-less
 * checkpoint from an older rnnscope, or a PyTorch model file). Anything else
 * — another run, another architecture, a later point of this run, a file that
 * is not a checkpoint — is refused with one line unless the caller forces it.
 *
 * New runs are saved under names of their own (run_unique_path), so starting
 * a run never aims at an existing file.
 */
#ifndef RNNSCOPE_RUN_GUARD_H
#define RNNSCOPE_RUN_GUARD_H

#include <stddef.h>

#include "err.h"
#include "trainer.h"

/* What the guard needs to know of a run; copy it under a lock when another
 * thread is stepping the trainer. */
typedef struct {
    char id[RUN_ID_CAP];
    char origin[TRAIN_PATH_MAX]; /* trainer->origin */
    long step;
    CellType cell;
    int layers, hidden;
} RunIdent;

void run_ident(const Trainer *t, RunIdent *out);

/* A fresh random run id (hex). */
void run_id_new(char out[RUN_ID_CAP]);

/* 0 if a save of the run may replace path; else ERR_INPUT with one line that
 * says what the file holds and ends with force_hint (how to force it, e.g.
 * "add --force to replace it"). */
int run_guard_check(const RunIdent *r, const char *path, const char *force_hint, Err *err);

/* trainer_save after the guard's check (skipped when force). */
int run_guard_save(const Trainer *t, const char *path, int force, const char *force_hint, Err *err);

/* A new run's own file: DIR/CORPUS-CELL-LxH-YYYYMMDD-HHMM.safetensors (local
 * time), with -2, -3 ... before the extension when that name, or its keep-best
 * companion, exists. dir is created (paths_make_parent). */
int run_unique_path(const char *dir, const TrainConfig *c, char *out, size_t cap, Err *err);

#endif
