/* comm_mpi.c — the communicator of comm.h over Open MPI.
 *
 * sum_f32 is a ring allreduce written on MPI_Sendrecv rather than
 * MPI_Allreduce, for two reasons: its order of additions is fixed and known
 * (block k of the buffer is summed x_k + x_(k+1) + ... around the ring,
 * starting at rank k), so a given number of ranks gives the same bits on every
 * run and every rank, which MPI_Allreduce does not promise; and it is the
 * bandwidth-optimal algorithm the README's scaling model describes
 * (2 (N-1)/N of the buffer sent per rank). The small operations use
 * MPI_Allgather and MPI_Bcast.
 */
#include "comm_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    float *recv;       /* one block of the ring, grown once */
    size_t recv_cap;
} MpiImpl;

static int mpi_fail(int code, const char *what, Comm *c, Err *err)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error %d", code);
    c->broken = 1;
    return err_set(err, ERR_RUNTIME, "rank %d of %d: %s failed (%s); another rank has probably stopped or died",
                   c->rank, c->size, what, text);
}

static void block_of(size_t n, int P, int k, size_t *off, size_t *len)
{
    k = ((k % P) + P) % P;
    size_t a = n * (size_t)k / (size_t)P, b = n * (size_t)(k + 1) / (size_t)P;
    *off = a;
    *len = b - a;
}

static int ring_sum_f32(Comm *c, float *buf, size_t n, Err *err)
{
    MpiImpl *im = c->impl;
    const int P = c->size, r = c->rank, right = (r + 1) % P, left = (r + P - 1) % P;
    size_t cap = n / (size_t)P + 1;
    if (cap > (size_t)INT_MAX)
        return err_set(err, ERR_RUNTIME, "the gradient buffer (%zu floats) is too large for the ring's blocks", n);
    if (im->recv_cap < cap) {
        im->recv = xrealloc(im->recv, cap * sizeof(float));
        im->recv_cap = cap;
    }
    /* reduce-scatter: after step s, rank r's block r-s-1 holds s+2 ranks' sum */
    for (int s = 0; s < P - 1; s++) {
        size_t so, sl, ro, rl;
        block_of(n, P, r - s, &so, &sl);
        block_of(n, P, r - s - 1, &ro, &rl);
        int rc = MPI_Sendrecv(buf + so, (int)sl, MPI_FLOAT, right, 17, im->recv, (int)rl, MPI_FLOAT, left, 17,
                              MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS)
            return mpi_fail(rc, "the gradient sum (MPI_Sendrecv)", c, err);
        float *dst = buf + ro;
        for (size_t i = 0; i < rl; i++)
            dst[i] = im->recv[i] + dst[i];
    }
    /* allgather: rank r holds the whole sum of block r+1; pass the sums round */
    for (int s = 0; s < P - 1; s++) {
        size_t so, sl, ro, rl;
        block_of(n, P, r + 1 - s, &so, &sl);
        block_of(n, P, r - s, &ro, &rl);
        int rc = MPI_Sendrecv(buf + so, (int)sl, MPI_FLOAT, right, 18, buf + ro, (int)rl, MPI_FLOAT, left, 18,
                              MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS)
            return mpi_fail(rc, "the gradient sum (MPI_Sendrecv)", c, err);
    }
    return 0;
}

static int mpi_allgather(Comm *c, const void *mine, void *all, size_t bytes, Err *err)
{
    if (bytes > (size_t)INT_MAX)
        return err_set(err, ERR_RUNTIME, "an allgather of %zu bytes is too large", bytes);
    int rc = MPI_Allgather(mine, (int)bytes, MPI_BYTE, all, (int)bytes, MPI_BYTE, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? 0 : mpi_fail(rc, "MPI_Allgather", c, err);
}

static int mpi_bcast(Comm *c, void *buf, size_t bytes, int root, Err *err)
{
    if (bytes > (size_t)INT_MAX)
        return err_set(err, ERR_RUNTIME, "a broadcast of %zu bytes is too large", bytes);
    int rc = MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? 0 : mpi_fail(rc, "MPI_Bcast", c, err);
}

static const CommOps mpi_ops = {ring_sum_f32, mpi_allgather, mpi_bcast};

int comm_mpi_init(int *argc, char ***argv, Comm **out, Err *err)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return err_set(err, ERR_RUNTIME, "MPI_Init failed: cannot join the mpirun job");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    Comm *c = xcalloc(1, sizeof *c);
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c->size);
    c->ops = &mpi_ops;
    c->impl = xcalloc(1, sizeof(MpiImpl));
    *out = c;
    return 0;
}

void comm_mpi_end(Comm *c, int failed, int status)
{
    if (failed)
        MPI_Abort(MPI_COMM_WORLD, status ? status : 1);
    MPI_Finalize();
    if (c) {
        MpiImpl *im = c->impl;
        free(im->recv);
        free(im);
        free(c->scratch);
        free(c);
    }
}
