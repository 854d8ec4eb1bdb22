/* train_ranks.c — `rnnscope train` as one rank of a data-parallel run (see train_ranks.h). */
#include "train_ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "run_guard.h"

#define RANK_CONTROL_MAX 64 /* ranks whose control messages fit on the stack */

int train_is_root(const Trainer *t)
{
    return !t->comm || t->comm->rank == 0;
}

/* On rank 0 of several: what SIGTERM from the launcher prints at once
 * (cli_set_term_note), naming the last checkpoint (path NULL: none yet). */
void train_note_checkpoint(const Trainer *t, const char *path, long step)
{
    if (!t->sharded || t->comm->rank != 0)
        return;
    char line[600];
    if (path)
        snprintf(line, sizeof line, "SIGTERM from the launcher (Ctrl-C on mpirun, a rank that died, a cancelled "
                 "job): stopping; if it kills the ranks before this step ends, the last checkpoint is %.400s "
                 "(step %ld)", path, step);
    else
        snprintf(line, sizeof line, "SIGTERM from the launcher (Ctrl-C on mpirun, a rank that died, a cancelled "
                 "job): stopping; if it kills the ranks before this step ends, nothing of this run is saved yet");
    cli_set_term_note(line);
}

int train_save_run(Trainer *t, const char *path, int force, const char *force_hint, Err *err)
{
    int rc = trainer_gather_state(t, err);
    if (rc)
        return rc;
    if (train_is_root(t))
        rc = run_guard_save(t, path, force, force_hint, err);
    if ((rc = comm_agree(t->comm, rc, err)) == 0)
        train_note_checkpoint(t, path, t->step);
    return rc;
}

/* 1 when any rank was asked to stop (Ctrl-C reaches each rank through
 * mpirun; SIGUSR1 too), so all stop after the same step; -1 when the ranks
 * cannot agree. */
int train_stop_agreed(Comm *comm, Err *err)
{
    double stop = cli_stop_requested();
    if (comm_sum_f64(comm, &stop, 1, err) != 0)
        return -1;
    return stop > 0;
}

/* A data-parallel run's commands (train_control.h): rank 0 polls the
 * socket and every rank receives what it found, nothing or one command,
 * with whether any rank was asked to stop, so all apply the same commands at
 * the same step and leave a paused wait together. */
typedef struct {
    ControlCmd cmd;
    int got, stop;
} RankControlMsg;

static int rank_control_source(void *ctx, int timeout_ms, ControlCmd *out)
{
    RankControl *rcl = ctx;
    RankControlMsg mine, all[RANK_CONTROL_MAX];
    memset(&mine, 0, sizeof mine);
    if (rcl->comm->rank == 0) {
        mine.got = control_poll(rcl->ctl, timeout_ms, &mine.cmd) == 1;
    } else if (timeout_ms > 20) {
        /* a paused wait: rank 0 waits in poll() up to timeout_ms; sleep through
         * most of it, or MPI's busy wait in the allgather would take a core */
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(timeout_ms - 10) * 1000000L};
        nanosleep(&ts, NULL);
    }
    mine.stop = cli_stop_requested();
    Err err;
    RankControlMsg *got = rcl->comm->size <= RANK_CONTROL_MAX ? all : xmalloc(sizeof mine * rcl->comm->size);
    if (comm_allgather(rcl->comm, &mine, got, sizeof mine, &err) != 0) {
        rcl->signalled = 1; /* the stop check after the wait reports the failure */
        if (got != all)
            free(got);
        return 0;
    }
    for (int r = 0; r < rcl->comm->size; r++)
        rcl->signalled |= got[r].stop;
    int have = got[0].got;
    if (have)
        *out = got[0].cmd;
    if (got != all)
        free(got);
    return have;
}

static int rank_control_signalled(void *ctx)
{
    return ((RankControl *)ctx)->signalled;
}

/* ", on N ranks (a+b+... of the batch's B streams)" for the start line; "" on one. */
const char *train_ranks_line(const Trainer *t)
{
    static char line[256];
    line[0] = '\0';
    if (!t->sharded)
        return line;
    int n = snprintf(line, sizeof line, ", on %d ranks (", t->comm->size);
    for (int r = 0; r < t->comm->size && n > 0 && (size_t)n < sizeof line - 40; r++) {
        int a, b;
        comm_share(t->cfg.batch, r, t->comm->size, &a, &b);
        n += snprintf(line + n, sizeof line - n, "%s%d", r ? "+" : "", b - a);
    }
    if (n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - n, " of the %d streams)", t->cfg.batch);
    return line;
}

void train_ranks_control(TrainControl *tc, RankControl *rc, Comm *comm)
{
    rc->comm = comm;
    rc->ctl = &tc->ctl;
    rc->signalled = 0;
    train_control_set_source(tc, rank_control_source, rank_control_signalled, rc);
}
