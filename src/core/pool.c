/* pool.c — persistent worker threads with a spin-then-sleep handshake (see pool.h).
 *
 * A call publishes (fn, ctx), sets `pending` to the number of workers and
 * bumps the generation counter `gen`; each worker runs its part when it sees
 * a new generation and decrements `pending`; the caller runs part 0 and waits
 * for `pending` to reach 0.
 *
 * Why spin first: a training step makes a few dozen calls separated by short
 * serial stretches, and waking a sleeping thread through the kernel costs tens
 * of microseconds each time. Why sleep after: an idle trainer (paused
 * dashboard, evaluation on another pool) must not burn a core.
 *
 * The sleep/wake handshakes are Dekker-style: the sleeper announces itself
 * (sleepers / caller_waiting) and then re-reads the condition, the waker
 * changes the condition and then reads the announcement, all sequentially
 * consistent, so at least one of them sees the other and no wake-up is lost.
 * The condition is re-checked under the mutex the waker signals under.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"

#ifdef __SSE2__
#include <emmintrin.h>
#define POOL_RELAX() _mm_pause()
#else
#define POOL_RELAX() ((void)0)
#endif

enum { POOL_SPIN = 4000, POOL_YIELD_EVERY = 256, POOL_MAX_THREADS = 256 };

/* One spin of a wait loop; every POOL_YIELD_EVERY spins it yields the core,
 * so that with more threads than cores the thread being waited for runs. */
static void pool_relax(int spins)
{
    if (spins % POOL_YIELD_EVERY == 0)
        sched_yield();
    else
        POOL_RELAX();
}

typedef struct {
    struct Pool *pool;
    int part;
} PoolWorker;

struct Pool {
    int n;                      /* parts per call: workers + the caller */
    pthread_t *threads;         /* (n - 1) */
    PoolWorker *workers;        /* (n - 1) */
    PoolFn fn;
    void *ctx;
    atomic_uint gen;            /* bumped once per call */
    atomic_int pending;         /* workers still running the current call */
    atomic_int sleepers;        /* workers blocked on wake */
    atomic_int caller_waiting;  /* 1 while the caller is blocked on done */
    atomic_int stop;
    pthread_mutex_t mu;
    pthread_cond_t wake;        /* workers wait here for a new generation */
    pthread_cond_t done;        /* the caller waits here for pending == 0 */
};

void pool_split(int n, int part, int nparts, int *begin, int *end)
{
    int q = n / nparts, r = n % nparts;
    *begin = part * q + (part < r ? part : r);
    *end = *begin + q + (part < r ? 1 : 0);
}

static void *pool_worker_main(void *arg)
{
    PoolWorker *w = arg;
    Pool *p = w->pool;
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load(&p->gen)) == seen && !atomic_load(&p->stop)) {
            if (++spins < POOL_SPIN) {
                pool_relax(spins);
                continue;
            }
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop))
                pthread_cond_wait(&p->wake, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
            spins = 0;
        }
        if (atomic_load(&p->stop))
            return NULL;
        seen = g;
        p->fn(p->ctx, w->part, p->n);
        if (atomic_fetch_sub(&p->pending, 1) == 1 && atomic_load(&p->caller_waiting)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

Pool *pool_new(int threads)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (threads > POOL_MAX_THREADS)
        threads = POOL_MAX_THREADS;
    Pool *p = xcalloc(1, sizeof *p);
    p->n = threads;
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->caller_waiting, 0);
    atomic_init(&p->stop, 0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads == 1)
        return p;
    p->threads = xcalloc((size_t)threads - 1, sizeof *p->threads);
    p->workers = xcalloc((size_t)threads - 1, sizeof *p->workers);
    /* Workers block every signal (they inherit the mask), so Ctrl-C, SIGWINCH
     * and the like keep reaching the threads that handle them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int started = 0;
    for (; started < threads - 1; started++) {
        p->workers[started].pool = p;
        p->workers[started].part = started + 1;
        if (pthread_create(&p->threads[started], NULL, pool_worker_main, &p->workers[started]) != 0)
            break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started < threads - 1) {
        p->n = started + 1; /* pool_free joins the ones that started */
        pool_free(p);
        return NULL;
    }
    return p;
}

void pool_free(Pool *p)
{
    if (!p)
        return;
    if (p->n > 1) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->stop, 1);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (int i = 0; i < p->n - 1; i++)
            pthread_join(p->threads[i], NULL);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p->threads);
    free(p->workers);
    free(p);
}

int pool_threads(const Pool *p)
{
    return p ? p->n : 1;
}

void pool_run(Pool *p, PoolFn fn, void *ctx)
{
    if (!p || p->n == 1) {
        fn(ctx, 0, 1);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->pending, p->n - 1);
    atomic_fetch_add(&p->gen, 1); /* publishes fn, ctx and pending */
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
    }
    fn(ctx, 0, p->n);
    int spins = 0;
    while (atomic_load(&p->pending) != 0) {
        if (++spins < POOL_SPIN) {
            pool_relax(spins);
            continue;
        }
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->caller_waiting, 1);
        while (atomic_load(&p->pending) != 0)
            pthread_cond_wait(&p->done, &p->mu);
        atomic_store(&p->caller_waiting, 0);
        pthread_mutex_unlock(&p->mu);
    }
}
