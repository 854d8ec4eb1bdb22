/* comm.h — the processes of one data-parallel run, as core sees them.
 *
 * A run on N processes (mpirun -np N) splits each batch's B streams across
 * them; after the backward the gradient buffers are summed so every process
 * applies the same update. Core reaches the other processes only through
 * this small interface; the Open MPI version lives in src/mpi/ (core never
 * includes mpi.h), and comm_single() is the one-process version whose every
 * operation is a no-op.
 *
 * Every operation is collective: all processes call it, in the same order,
 * with the same sizes. A failure (a peer died, the network broke) returns
 * ERR_RUNTIME with one line saying so; the caller stops.
 *
 * Reductions have a fixed order, so a given N gives the same bits from run
 * to run: sum_f32 is a ring reduce-scatter then allgather in which block k is
 * summed in the order rank k, k+1, ..., k-1 round the ring; the small reductions
 * callers build on allgather add the ranks' values in rank order.
 */
#ifndef RNNSCOPE_COMM_H
#define RNNSCOPE_COMM_H

#include <stddef.h>

#include "err.h"

typedef struct Comm Comm;

typedef struct {
    /* buf[i] = the sum over ranks of buf[i], the same bits on every rank */
    int (*sum_f32)(Comm *c, float *buf, size_t n, Err *err);
    /* all (size * bytes) receives every rank's `bytes` bytes of mine, in rank order */
    int (*allgather)(Comm *c, const void *mine, void *all, size_t bytes, Err *err);
    /* buf (bytes) on every rank becomes root's */
    int (*bcast)(Comm *c, void *buf, size_t bytes, int root, Err *err);
} CommOps;

struct Comm {
    int rank, size;
    const CommOps *ops;
    void *impl;
    int broken;      /* set by the implementation when an operation failed: the ranks can no
                        longer agree, so the run ends without waiting for the others */
    double sum_ms;   /* time spent in sum_f32 so far (the gradient allreduce), for the bench */
    void *scratch;   /* the small reductions' gather buffer, grown once and reused (no
                        allocation per step once sized); the implementation frees it */
    size_t scratch_cap;
};

/* The one-process communicator (rank 0 of 1); shared, never freed. */
Comm *comm_single(void);

/* Convenience wrappers over the ops (NULL c: the single process). */
int comm_sum_f32(Comm *c, float *buf, size_t n, Err *err);
int comm_allgather(Comm *c, const void *mine, void *all, size_t bytes, Err *err);
int comm_bcast(Comm *c, void *buf, size_t bytes, int root, Err *err);
/* buf[i] = the sum over ranks of buf[i] for n doubles, added in rank order
 * (for the small per-step numbers: losses, counts, diagnostics). */
int comm_sum_f64(Comm *c, double *buf, size_t n, Err *err);
/* buf[i] = the minimum (max = 0) or maximum (max = 1) over ranks. */
int comm_extreme_f32(Comm *c, float *buf, size_t n, int max, Err *err);

/* Agree on an outcome every rank reached on its own: returns 0 when rc is 0
 * on every rank, else the first failing rank's code, with its message in
 * *err on every rank ("rank R: ..." when R is not 0), so all ranks stop
 * together. rc on one process. */
int comm_agree(Comm *c, int rc, Err *err);

/* The streams [*b0, *b1) of a batch of B that rank `rank` of `size` takes:
 * contiguous shares that differ by at most one (B need not divide evenly). */
void comm_share(int B, int rank, int size, int *b0, int *b1);

#endif
