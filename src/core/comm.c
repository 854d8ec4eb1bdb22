/* comm.c — the one-process communicator and the helpers every
 * communicator shares (see comm.h). */
#include "comm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int single_sum_f32(Comm *c, float *buf, size_t n, Err *err)
{
    (void)c, (void)buf, (void)n, (void)err;
    return 0;
}

static int single_allgather(Comm *c, const void *mine, void *all, size_t bytes, Err *err)
{
    (void)c, (void)err;
    if (bytes && all != mine)
        memmove(all, mine, bytes);
    return 0;
}

static int single_bcast(Comm *c, void *buf, size_t bytes, int root, Err *err)
{
    (void)c, (void)buf, (void)bytes, (void)root, (void)err;
    return 0;
}

static const CommOps single_ops = {single_sum_f32, single_allgather, single_bcast};

Comm *comm_single(void)
{
    static Comm one = {.rank = 0, .size = 1, .ops = &single_ops};
    return &one;
}

static Comm *or_single(Comm *c)
{
    return c ? c : comm_single();
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int comm_sum_f32(Comm *c, float *buf, size_t n, Err *err)
{
    c = or_single(c);
    if (c->size == 1)
        return 0;
    double t0 = now_ms();
    int rc = c->ops->sum_f32(c, buf, n, err);
    c->sum_ms += now_ms() - t0;
    return rc;
}

int comm_allgather(Comm *c, const void *mine, void *all, size_t bytes, Err *err)
{
    c = or_single(c);
    return c->ops->allgather(c, mine, all, bytes, err);
}

int comm_bcast(Comm *c, void *buf, size_t bytes, int root, Err *err)
{
    c = or_single(c);
    if (c->size == 1)
        return 0;
    return c->ops->bcast(c, buf, bytes, root, err);
}

/* The gather buffer of the small reductions, at least bytes long. */
static void *comm_scratch(Comm *c, size_t bytes)
{
    if (c->scratch_cap < bytes) {
        c->scratch = xrealloc(c->scratch, bytes);
        c->scratch_cap = bytes;
    }
    return c->scratch;
}

int comm_sum_f64(Comm *c, double *buf, size_t n, Err *err)
{
    c = or_single(c);
    if (c->size == 1 || n == 0)
        return 0;
    double *all = comm_scratch(c, sizeof(double) * n * (size_t)c->size);
    int rc = c->ops->allgather(c, buf, all, sizeof(double) * n, err);
    if (!rc)
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (int r = 0; r < c->size; r++)
                s += all[(size_t)r * n + i];
            buf[i] = s;
        }
    return rc;
}

int comm_extreme_f32(Comm *c, float *buf, size_t n, int max, Err *err)
{
    c = or_single(c);
    if (c->size == 1 || n == 0)
        return 0;
    float *all = comm_scratch(c, sizeof(float) * n * (size_t)c->size);
    int rc = c->ops->allgather(c, buf, all, sizeof(float) * n, err);
    if (!rc)
        for (size_t i = 0; i < n; i++) {
            float e = all[i];
            for (int r = 1; r < c->size; r++) {
                float v = all[(size_t)r * n + i];
                e = max ? (v > e ? v : e) : (v < e ? v : e);
            }
            buf[i] = e;
        }
    return rc;
}

int comm_agree(Comm *c, int rc, Err *err)
{
    c = or_single(c);
    if (c->size == 1)
        return rc;
    Err mine;
    err_clear(&mine);
    if (rc) {
        mine.code = rc;
        snprintf(mine.msg, sizeof mine.msg, "%s", err && err->msg[0] ? err->msg : "failed");
    }
    Err *all = comm_scratch(c, sizeof(Err) * (size_t)c->size);
    int crc = c->ops->allgather(c, &mine, all, sizeof mine, err);
    if (crc)
        return crc;
    for (int r = 0; r < c->size; r++)
        if (all[r].code) {
            if (r == 0)
                *err = all[0];
            else
                err_set(err, all[r].code, "rank %d: %s", r, all[r].msg);
            return all[r].code;
        }
    return 0;
}

void comm_share(int B, int rank, int size, int *b0, int *b1)
{
    *b0 = (int)((long long)B * rank / size);
    *b1 = (int)((long long)B * (rank + 1) / size);
}
