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

/* Poll until the queue is empty while the n-gram order is still `want` (the
 * result has not landed): the request is then in flight. Returns how often runner_idle said "idle" in
 * that window (it must never), *seen how often the window was observed. */
static int runner_test_in_flight(Runner *r, int want, int *seen)
{
    int idle_in_flight = 0;
    *seen = 0;
    static RunView v;
    for (int i = 0; i < 200000; i++) {
        runner_view(r, &v);
        int queued = v.queued, done = v.ngram_order != want;
        if (done)
            break;
        if (queued == 0) {
            int idle = runner_idle(r);
            runner_view(r, &v);
            int still = v.ngram_order == want;
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
    Runner *r = runner_new();
    static RunView v;
    Err err;
    Trainer *t = runner_test_trainer(16);
    if (!CHECK(runner_start(r, t, 1, &err) == 0, "the runner starts paused"))
        return check_summary();
    for (int i = 0; i < 2000 && !runner_idle(r); i++)
        runner_test_nap();
    CHECK(runner_idle(r), "a paused runner with nothing queued is idle");

    runner_send(r, RUN_CMD_NGRAM, 5, 0, NULL);
    int seen = 0;
    int idle = runner_test_in_flight(r, 0, &seen);
    CHECK(seen > 0, "the 5-gram request was observed in flight (%d polls)", seen);
    CHECK(idle == 0, "runner_idle is 0 while the request works on the Trainer (said idle %d of %d times)", idle,
          seen);

    /* a second request (order 4), and a new run swapped in while it works */
    runner_send(r, RUN_CMD_NGRAM, 4, 0, NULL);
    for (int i = 0; i < 200000; i++) {
        runner_view(r, &v);
        if (v.queued == 0)
            break;
        runner_test_nap();
    }
    Trainer *t2 = runner_test_trainer(24);
    runner_adopt(r, t2);
    runner_view(r, &v);
    CHECK(v.ngram_order == 4, "runner_adopt returned only after the in-flight request finished (order %d)",
          v.ngram_order);
    CHECK(v.mcfg.hidden == 24 && runner_trainer(r) == t2, "the adopted run is the runner's (hidden %d)", v.mcfg.hidden);
    int got_msg = 0;
    RunnerMsg m;
    while (runner_pop_message(r, &m))
        got_msg += strstr(m.text, "-gram baseline") != NULL;
    CHECK(got_msg == 2, "both baselines reported (%d)", got_msg);

    /* steps land in the Trainer's record, which the UI reads in place */
    runner_send(r, RUN_CMD_STEP, 3, 0, NULL);
    runner_send(r, RUN_CMD_STEP, 2, 0, NULL); /* adds to the first */
    for (int i = 0; i < 200000; i++) {
        runner_view(r, &v);
        if (v.step >= 5 && v.parked)
            break;
        runner_test_nap();
    }
    const History *h = runner_history_begin(r);
    long n_steps = h->n_steps, latest = history_latest_step(h);
    runner_history_end(r);
    CHECK(v.step == 5 && n_steps == 5 && latest == 5 && v.have_last && v.last.step == 5 && v.steps_run == 5 &&
              v.active_s > 0,
          ":step 3 then :step 2 make 5 steps, each in the record (step %ld, record %ld)", v.step, n_steps);

    /* time spent paused is not training time: the elapsed/ETA clock stands still */
    double active = v.active_s;
    struct timespec pause_ts = {0, 300000000};
    nanosleep(&pause_ts, NULL);
    runner_view(r, &v);
    CHECK(v.active_s == active && active < 0.3, "0.3 s paused adds nothing to the training time (%.3f s)", v.active_s);

    /* a finished run says so; :steps extends it */
    runner_send(r, RUN_CMD_SET_STEPS, 5, 0, NULL);
    runner_send(r, RUN_CMD_SET_STEPS, 7, 0, NULL);
    runner_send(r, RUN_CMD_RUN, 0, 0, NULL);
    for (int i = 0; i < 200000; i++) {
        runner_view(r, &v);
        if (v.phase == PHASE_DONE && v.queued == 0)
            break;
        runner_test_nap();
    }
    int said_done = 0, said_small = 0;
    while (runner_pop_message(r, &m)) {
        said_small += strstr(m.text, ":steps 5: the run is already at step 5") != NULL;
        said_done += strstr(m.text, "reached --steps 7") != NULL;
    }
    CHECK(v.step == 7 && said_small == 1 && said_done == 1, ":steps 5 refused at step 5, :steps 7 runs to 7 (step %ld)",
          v.step);
    runner_send(r, RUN_CMD_RUN, 0, 0, NULL);
    runner_send(r, RUN_CMD_STEP, 1, 0, NULL);
    for (int i = 0; i < 2000 && !runner_idle(r); i++)
        runner_test_nap();
    int refused = 0;
    while (runner_pop_message(r, &m))
        refused += strstr(m.text, "the run is finished") != NULL;
    runner_view(r, &v);
    CHECK(refused == 2 && v.step == 7, ":run and :step on a finished run say so and take no step (%d)", refused);

    /* hooked: the thread waits after each free step until the hooks ran */
    runner_send(r, RUN_CMD_SET_STEPS, 0, 0, NULL);
    runner_set_hooked(r, 1);
    runner_send(r, RUN_CMD_RUN, 0, 0, NULL);
    long waited = 0;
    for (int i = 0; i < 200000 && waited < 3; i++) {
        runner_view(r, &v);
        if (v.hook_step > 0 && v.parked) {
            CHECK(v.hook_step == v.step, "the step waiting for its hooks is the latest (%ld)", v.hook_step);
            long at = v.step;
            runner_test_nap();
            runner_view(r, &v);
            CHECK(v.step == at, "no step is taken while the hooks of step %ld run", at);
            waited++;
            runner_hooks_done(r);
        }
        runner_test_nap();
    }
    CHECK(waited == 3, "three steps waited for their hooks");
    runner_set_hooked(r, 0);
    runner_send(r, RUN_CMD_PAUSE, 0, 0, NULL);
    runner_free(r);

    /* a runner that never started frees cleanly, leaving the trainer alone */
    Runner *unstarted = runner_new();
    runner_free(unstarted);
    return check_summary();
}
