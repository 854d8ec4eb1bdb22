/* pool.h — a tiny persistent thread pool for the training step.
 *
 * n-1 worker threads plus the calling thread. pool_run(pool, fn, ctx) calls
 * fn(ctx, part, nparts) once for every part in 0..nparts-1 (part 0 on the
 * caller) and returns when all have finished. Nothing is allocated per call;
 * idle workers spin briefly (the next call of a training step usually follows
 * within microseconds) and then sleep on a condition variable, so an idle pool
 * costs no CPU.
 *
 * One caller at a time: a pool belongs to one Workspace (one trainer thread).
 * fn must not call pool_run on the same pool. Not a task queue, not a general
 * scheduler: the parts of one call are the whole unit of work.
 */
#ifndef RNNSCOPE_POOL_H
#define RNNSCOPE_POOL_H

typedef struct Pool Pool;

typedef void (*PoolFn)(void *ctx, int part, int nparts);

/* threads <= 0: one per online core. A pool of 1 runs everything on the
 * caller and starts no thread. Returns NULL only if a thread cannot be
 * started (the caller falls back to running single-threaded). */
Pool *pool_new(int threads);
void pool_free(Pool *p);
/* Number of parts each pool_run uses (1 for a NULL pool). */
int pool_threads(const Pool *p);
/* Runs fn(ctx, part, nparts) for every part and waits. A NULL pool runs
 * fn(ctx, 0, 1) on the caller. */
void pool_run(Pool *p, PoolFn fn, void *ctx);
/* Part `part` of nparts of the range [0, n): contiguous, sizes differ by at
 * most one, earlier parts are the larger. */
void pool_split(int n, int part, int nparts, int *begin, int *end);

#endif
