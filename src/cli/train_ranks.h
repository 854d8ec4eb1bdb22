/* train_ranks.h — what `rnnscope train` does differently as one rank of a
 * data-parallel run (ranks.h, comm.h): rank 0 writes every file and all the
 * output, and every decision to stop, steer or save is agreed by all ranks
 * so none waits in a collective the others left. On one process (t->comm
 * NULL) each function is what a single run does.
 */
#ifndef RNNSCOPE_TRAIN_RANKS_H
#define RNNSCOPE_TRAIN_RANKS_H

#include "comm.h"
#include "control.h"
#include "err.h"
#include "train_control.h"
#include "trainer.h"

/* 1 on rank 0, or on a single process: the one that writes and speaks. */
int train_is_root(const Trainer *t);

/* Save the run: every rank's carried state gathered (and the ranks'
 * parameters checked to agree), rank 0 writes with run_guard_save, all
 * agree on the outcome. */
int train_save_run(Trainer *t, const char *path, int force, const char *force_hint, Err *err);

/* On rank 0 of several: the line SIGTERM from the launcher prints at once
 * (cli_set_term_note), naming the last checkpoint (path NULL: none yet). */
void train_note_checkpoint(const Trainer *t, const char *path, long step);

/* 1 when any rank was asked to stop, so all stop after the same step; -1
 * when the ranks cannot agree (one is gone). */
int train_stop_agreed(Comm *comm, Err *err);

/* The control socket's commands on several ranks: rank 0 polls the socket,
 * every rank receives what it found (nothing or one command) with whether
 * any rank was asked to stop, so all apply the same commands at the same
 * step and leave a paused wait together. rc must outlive tc. */
typedef struct {
    Comm *comm;
    Control *ctl;          /* rank 0's socket */
    int signalled;         /* a rank was asked to stop (or the ranks lost each other) */
} RankControl;
void train_ranks_control(TrainControl *tc, RankControl *rc, Comm *comm);

/* ", on N ranks (a+b+... of the B streams)" for the start line; "" on one process. */
const char *train_ranks_line(const Trainer *t);

#endif
