/* test_pool.c — the thread pool: every part runs exactly once per call, on
 * distinct threads, the caller waits for all of them, workers that fell asleep
 * wake up, pool_split covers a range exactly, and degenerate pools (NULL, one
 * thread) run on the caller.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "pool.h"

enum { MAX_PARTS = 8 };

typedef struct {
    atomic_int runs[MAX_PARTS];  /* calls of each part */
    atomic_int seen_nparts;      /* nparts passed (last value) */
    pthread_t who[MAX_PARTS];    /* the thread that ran each part in the last call */
    long sum[MAX_PARTS];         /* per-part work result */
    int work;                    /* size of each part's busy loop */
} Counter;

static void count_part(void *ctx, int part, int nparts)
{
    Counter *c = ctx;
    atomic_fetch_add(&c->runs[part], 1);
    atomic_store(&c->seen_nparts, nparts);
    c->who[part] = pthread_self();
    long s = 0;
    for (int i = 0; i < c->work; i++)
        s += (long)i * (part + 1);
    c->sum[part] = s;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void check_pool(int threads, int calls)
{
    Pool *p = pool_new(threads);
    if (!CHECK(p != NULL, "pool of %d threads starts", threads))
        return;
    CHECK(pool_threads(p) == threads, "pool of %d reports %d parts", threads, pool_threads(p));
    Counter *c = calloc(1, sizeof *c);
    int bad_sum = 0, distinct = 1;
    for (int k = 0; k < calls; k++) {
        c->work = k % 7 == 0 ? 2000 : 0;
        pool_run(p, count_part, c);
        /* pool_run returned: every part's result must already be visible */
        for (int i = 0; i < threads; i++) {
            long want = 0;
            for (int w = 0; w < c->work; w++)
                want += (long)w * (i + 1);
            bad_sum += c->sum[i] != want;
        }
        if (k == calls - 1)
            for (int i = 0; i < threads; i++)
                for (int j = i + 1; j < threads; j++)
                    distinct &= !pthread_equal(c->who[i], c->who[j]);
    }
    int all = 1;
    for (int i = 0; i < threads; i++)
        all &= atomic_load(&c->runs[i]) == calls;
    for (int i = threads; i < MAX_PARTS; i++)
        all &= atomic_load(&c->runs[i]) == 0;
    CHECK(all, "%d threads: each of the %d parts ran exactly %d times, no other part ran", threads,
          threads, calls);
    CHECK(atomic_load(&c->seen_nparts) == threads, "%d threads: fn sees nparts = %d", threads,
          atomic_load(&c->seen_nparts));
    CHECK(bad_sum == 0, "%d threads: every part's result is complete when pool_run returns (%d late)",
          threads, bad_sum);
    CHECK(distinct, "%d threads: the parts of a call run on distinct threads", threads);
    CHECK(pthread_equal(c->who[0], pthread_self()), "%d threads: part 0 runs on the caller", threads);

    /* Let the workers give up spinning and block, then call again. */
    memset(c->runs, 0, sizeof c->runs);
    for (int k = 0; k < 5; k++) {
        sleep_ms(20);
        pool_run(p, count_part, c);
    }
    all = 1;
    for (int i = 0; i < threads; i++)
        all &= atomic_load(&c->runs[i]) == 5;
    CHECK(all, "%d threads: sleeping workers wake for each of 5 calls spaced 20 ms apart", threads);
    free(c);
    sleep_ms(10);
    pool_free(p); /* with workers asleep: must join, not hang */
}

static void check_split(void)
{
    int ok = 1;
    for (int n = 0; n <= 37; n++)
        for (int parts = 1; parts <= 9; parts++) {
            int next = 0, lo = n, hi = 0;
            for (int p = 0; p < parts; p++) {
                int b, e;
                pool_split(n, p, parts, &b, &e);
                ok &= b == next && e >= b;
                next = e;
                lo = e - b < lo ? e - b : lo;
                hi = e - b > hi ? e - b : hi;
            }
            ok &= next == n && hi - lo <= 1;
        }
    CHECK(ok, "pool_split: contiguous parts covering [0, n) exactly, sizes within one, n <= 37, parts <= 9");
    int b, e;
    pool_split(10, 0, 3, &b, &e);
    CHECK(b == 0 && e == 4, "pool_split(10, part 0 of 3) = [0, 4): the earlier parts are the larger");
}

int main(void)
{
    Counter *c = calloc(1, sizeof *c);
    pool_run(NULL, count_part, c);
    CHECK(atomic_load(&c->runs[0]) == 1 && atomic_load(&c->seen_nparts) == 1 &&
          pthread_equal(c->who[0], pthread_self()),
          "a NULL pool runs fn(ctx, 0, 1) on the caller");
    CHECK(pool_threads(NULL) == 1, "a NULL pool has 1 part");
    free(c);
    Pool *one = pool_new(1);
    c = calloc(1, sizeof *c);
    pool_run(one, count_part, c);
    CHECK(pool_threads(one) == 1 && atomic_load(&c->runs[0]) == 1 && atomic_load(&c->runs[1]) == 0 &&
          pthread_equal(c->who[0], pthread_self()), "a pool of 1 runs one part on the caller");
    free(c);
    pool_free(one);
    Pool *dflt = pool_new(0);
    CHECK(dflt && pool_threads(dflt) >= 1, "pool_new(0) picks one thread per core (%d)",
          pool_threads(dflt));
    pool_free(dflt);
    pool_free(NULL);
    check_pool(2, 20000);
    check_pool(3, 2000); /* more threads than this machine may have cores */
    check_pool(MAX_PARTS, 500);
    check_split();
    return check_summary();
}
