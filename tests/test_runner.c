/* test_runner.c — the dashboard's trainer thread (src/tui/runner.c): a
 * request it serves with its lock released (here :ngram, like a histogram)
 * keeps the runner from counting as idle, and runner_adopt waits for it
 * before freeing the Trainer it works on (run under ASan, a use after free
 * shows there).
 *
 * Not for: the app's blocking of those requests while a script runs
 * (tests/e2e_tui_lua.sh drives that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "runner.h"

static char corpus_path[1024];

static Trainer *runner_test_trainer(int hidden)
{
    TrainConfig c;
    train_config_default(&c);
    snprintf(c.corpus, sizeof c.corpus, "%s", corpus_path);
    c.layers = 1;
    c.hidden = hidden;
    c.embed = 8;
    c.batch = 4;
    c.seq = 8;
    c.threads = 1;
    c.val_frac = 0.1f;
    Trainer *t = xcalloc(1, sizeof *t);
    Err err;
    if (trainer_init(t, &c, &err) != 0) {
        printf("cannot start a trainer on %s: %s\n", corpus_path, err.msg);
        exit(1);
    }
    return t;
}

static void runner_test_nap(void)
{
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
}

/* Poll until the queue is empty while the n-gram result has not landed: the
 * request is then in flight. Returns how often runner_idle said "idle" in
 * that window (it must never), *seen how often the window was observed. */
static int runner_test_in_flight(Runner *r, int *seen)
{
    int idle_in_flight = 0;
    *seen = 0;
    for (int i = 0; i < 200000; i++) {
        runner_lock(r);
        int queued = r->q_len, done = r->ngram_order != 0;
        runner_unlock(r);
        if (done)
            break;
        if (queued == 0) {
            int idle = runner_idle(r);
            runner_lock(r);
            int still = r->ngram_order == 0;
            runner_unlock(r);
            if (still) {
                (*seen)++;
                idle_in_flight += idle;
            }
        }
        runner_test_nap();
    }
    return idle_in_flight;
}

int main(void)
{
    const char *dir = getenv("RNNSCOPE_TESTS");
    snprintf(corpus_path, sizeof corpus_path, "%s/../corpora/recall.txt", dir ? dir : "tests");
    Runner r;
    Err err;
    Trainer *t = runner_test_trainer(16);
    if (!CHECK(runner_start(&r, t, 1, &err) == 0, "the runner starts paused"))
        return check_summary();
    for (int i = 0; i < 2000 && !runner_idle(&r); i++)
        runner_test_nap();
    CHECK(runner_idle(&r), "a paused runner with nothing queued is idle");

    runner_send(&r, RUN_CMD_NGRAM, 5, 0, NULL);
    int seen = 0;
    int idle = runner_test_in_flight(&r, &seen);
    CHECK(seen > 0, "the 5-gram request was observed in flight (%d polls)", seen);
    CHECK(idle == 0, "runner_idle is 0 while the request works on the Trainer (said idle %d of %d times)", idle,
          seen);

    /* a second request, and a new run swapped in while it works */
    runner_lock(&r);
    r.ngram_order = 0;
    runner_unlock(&r);
    runner_send(&r, RUN_CMD_NGRAM, 5, 0, NULL);
    for (int i = 0; i < 200000; i++) {
        runner_lock(&r);
        int queued = r.q_len;
        runner_unlock(&r);
        if (queued == 0)
            break;
        runner_test_nap();
    }
    Trainer *t2 = runner_test_trainer(24);
    runner_adopt(&r, t2);
    runner_lock(&r);
    int order = r.ngram_order, hidden = r.mcfg.hidden;
    runner_unlock(&r);
    CHECK(order == 5, "runner_adopt returned only after the in-flight request finished (order %d)", order);
    CHECK(hidden == 24 && runner_trainer(&r) == t2, "the adopted run is the runner's (hidden %d)", hidden);
    int got_msg = 0;
    RunnerMsg m;
    while (runner_pop_message(&r, &m))
        got_msg += strstr(m.text, "5-gram baseline") != NULL;
    CHECK(got_msg == 2, "both baselines reported (%d)", got_msg);
    runner_free(&r);
    return check_summary();
}
