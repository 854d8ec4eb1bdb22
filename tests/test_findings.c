/* test_findings.c — the findings engine on hand-made step streams: hysteresis,
 * causes before symptoms, contradictions, overfitting's numbers, the event
 * history, saving and loading its state (also through a trainer's resume),
 * damaged states, and numbers as people read them. The engine on real runs
 * is test_scenarios.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "findings.h"
#include "findings_json.h"
#include "trainer.h"

static FindingsContext context(void)
{
    FindingsContext c;
    memset(&c, 0, sizeof c);
    c.cell = CELL_LSTM;
    c.layers = 1;
    c.hidden = 64;
    c.vocab = 60;
    c.seq = 50;
    c.n_params = 50000;
    c.n_train = 100000;
    c.n_val = 10000;
    c.optim = OPTIM_ADAM;
    c.lr = 2e-3f;
    c.clip = 5;
    c.unigram = 3.2;
    c.ngram = 1.9;
    c.n_tensors = 7;
    c.is_matrix[1] = c.is_matrix[2] = c.is_matrix[5] = 1;
    return c;
}

/* A step: loss, the update ratio of every weight matrix, the gate saturation
 * of layer 0's input gate (measured every 10 steps), and a validation loss
 * (NAN: none). */
static void feed(Findings *f, long step, float loss, float ratio, float sat, float val)
{
    StepInfo s;
    memset(&s, 0, sizeof s);
    s.step = step;
    s.loss = loss;
    s.lr = 2e-3f;
    s.grad_norm = 1.0f;
    s.n_tensors = 7;
    s.n_layers = 1;
    s.n_gates = 4;
    for (int i = 0; i < 7; i++)
        s.update_ratio[i] = ratio;
    s.gate_step = step - (step - 1) % 10;
    s.gate_sat[0][0] = sat;
    s.gate_mean[0] = 0.6f;
    s.evaluated = !isnan(val);
    s.val_loss = val;
    findings_observe_step(f, &s);
}

static const Finding *find(const Finding *l, int n, FindingId id)
{
    for (int i = 0; i < n; i++)
        if (l[i].id == id)
            return &l[i];
    return NULL;
}

static int is_active(const Findings *f, FindingId id)
{
    Finding l[FINDINGS_MAX];
    int n = findings_list(f, l, FINDINGS_MAX);
    return find(l, n, id) != NULL;
}

static void check_hysteresis(void)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    findings_init(f, &c);
    long k = 1;
    for (; k <= 60; k++)
        feed(f, k, 4.0f - 0.01f * k, 5e-3f, 0.2f, NAN);
    CHECK(!is_active(f, FD_SATURATED) && !strcmp(findings_verdict(f), "healthy"), "a calm stream: healthy");
    for (; k <= 80; k++) /* two measurements pinned: not yet */
        feed(f, k, 3.4f, 5e-3f, 1.0f, NAN);
    CHECK(!is_active(f, FD_SATURATED), "saturation seen on 2 measurements does not raise a finding");
    for (; k <= 90; k++)
        feed(f, k, 3.4f, 5e-3f, 1.0f, NAN);
    CHECK(is_active(f, FD_SATURATED), "on the third it appears");
    long since = f->st[FD_SATURATED].since;
    CHECK(since == 81, "since names the step it appeared at (%ld)", since);
    for (; k <= 110; k++) /* two calm measurements: it stays */
        feed(f, k, 3.4f, 5e-3f, 0.2f, NAN);
    CHECK(is_active(f, FD_SATURATED), "two calm measurements do not clear it (no flicker)");
    for (; k <= 120; k++)
        feed(f, k, 3.4f, 5e-3f, 0.2f, NAN);
    CHECK(!is_active(f, FD_SATURATED), "the third clears it");
    FindingEvent e0, e1;
    CHECK(findings_n_events(f) == 2 && findings_event(f, 0, &e0) && findings_event(f, 1, &e1) &&
              e0.id == FD_SATURATED && e0.appeared && e0.step == 81 && e1.id == FD_SATURATED && !e1.appeared &&
              e1.step == 111,
          "the history: appeared at 81, cleared at 111 (%ld events)", findings_n_events(f));
    free(f);
}

static void check_causes(void)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    findings_init(f, &c);
    for (long k = 1; k <= 40; k++)
        feed(f, k, 4.0f, 2.0f, 1.0f, NAN);
    Finding l[FINDINGS_MAX];
    int n = findings_list(f, l, FINDINGS_MAX);
    const Finding *hi = find(l, n, FD_LR_HIGH), *sat = find(l, n, FD_SATURATED);
    CHECK(hi && sat && n >= 2 && l[0].id == FD_LR_HIGH && hi->cause == FD_NONE && hi->depth == 0,
          "the learning rate comes first, as a root (%d findings, first %s)", n, n ? findings_id_name(l[0].id) : "-");
    CHECK(sat && sat->cause == FD_LR_HIGH && sat->depth == 1, "saturation hangs under it");
    CHECK(hi && hi->severity == SEV_PROBLEM, "a cause with symptoms is a problem");
    CHECK(!strcmp(findings_verdict(f), "lr_high"), "verdict: lr_high");
    CHECK(hi && strstr(hi->text, "2 of their size") && strstr(hi->advice, "--lr to about"),
          "its words carry the ratio and a learning rate to try: %s / %s", hi ? hi->text : "", hi ? hi->advice : "");
    CHECK(!is_active(f, FD_LR_LOW), "never lr_low beside lr_high");
    /* the steps come back to size (the weights grew) but the gates stay pinned:
     * the learning rate still explains them */
    for (long k = 41; k <= 140; k++)
        feed(f, k, 4.0f, 5e-3f, 1.0f, NAN);
    n = findings_list(f, l, FINDINGS_MAX);
    hi = find(l, n, FD_LR_HIGH);
    sat = find(l, n, FD_SATURATED);
    CHECK(hi && sat && sat->cause == FD_LR_HIGH && strstr(hi->text, "still so"),
          "lr_high stays while the saturation it caused lasts: %s", hi ? hi->text : "(gone)");
    for (long k = 141; k <= 260; k++)
        feed(f, k, 4.0f, 5e-3f, 0.2f, NAN);
    CHECK(!is_active(f, FD_SATURATED) && !is_active(f, FD_LR_HIGH), "and clears once it has gone");
    free(f);
}

/* Whether exploding is active after norm1 at step 1, norm2 at step 2 and
 * `rest` steps of norm 1 (the feed's usual norm) after them. */
static int explodes_early(float norm1, float norm2, int rest)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    c.clip = 0;
    findings_init(f, &c);
    for (long k = 1; k <= 2 + rest; k++) {
        StepInfo s;
        memset(&s, 0, sizeof s);
        s.step = k;
        s.loss = 4.0f;
        s.lr = 2e-3f;
        s.grad_norm = k == 1 ? norm1 : k == 2 ? norm2 : 1.0f;
        s.n_tensors = 7;
        for (int i = 0; i < 7; i++)
            s.update_ratio[i] = 5e-3f;
        findings_observe_step(f, &s);
    }
    int on = is_active(f, FD_EXPLODING);
    free(f);
    return on;
}

/* A runaway can blow the gradient up in its first steps, before the 16 norms
 * a 10x spike needs; a jump above 100x counts from step 2 (healthy runs stay
 * below 3.1x there too), a smaller one does not. */
static void check_early_spike(void)
{
    CHECK(explodes_early(2.0f, 10000.0f, 0), "a 5000x jump at step 2 is exploding at once");
    CHECK(explodes_early(2.0f, 10000.0f, 60), "and stays reported for a while after");
    CHECK(!explodes_early(2.0f, 100.0f, 0), "a 50x jump at step 2 is not (too little history for 10x)");
    CHECK(!explodes_early(2.0f, 6.0f, 0), "nor a healthy run's 3x");
}

/* A run stuck on a plateau behind the 3-gram with its gates pinned: the
 * underfitting follows from the saturation, and the advice is not "more
 * units" (a GRU at lr 0.05 did this: 2.17 against the 3-gram's 1.86, where
 * the same model at lr 0.002 reached 1.69). Without the pinned gates the
 * same curves are a root underfitting that asks for a larger model. */
static void check_underfitting_cause(void)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    for (int pinned = 1; pinned >= 0; pinned--) {
        findings_init(f, &c);
        for (long k = 1; k <= 1400; k++)
            feed(f, k, 2.5f, 5e-3f, pinned ? 1.0f : 0.2f, k % 100 == 0 ? 2.52f : NAN);
        Finding l[FINDINGS_MAX];
        int n = findings_list(f, l, FINDINGS_MAX);
        const Finding *uf = find(l, n, FD_UNDERFITTING);
        if (pinned) {
            CHECK(uf && uf->cause == FD_SATURATED && strstr(uf->advice, "fix saturated first"),
                  "with pinned gates, underfitting follows from saturated: %s", uf ? uf->advice : "(not found)");
            CHECK(n > 0 && l[0].id == FD_SATURATED, "and the verdict is the saturation (%s)",
                  n ? findings_id_name(l[0].id) : "-");
        } else {
            CHECK(uf && uf->cause == FD_NONE && strstr(uf->advice, "--hidden"),
                  "without them it is a root asking for more units: %s", uf ? uf->advice : "(not found)");
        }
    }
    free(f);
}

static void check_overfitting(void)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    findings_init(f, &c);
    float vals[] = {2.5f, 2.1f, 1.95f, 1.90f, 1.96f, 2.05f, 2.15f};
    long k = 1;
    for (int e = 0; e < 7; e++)
        for (int i = 0; i < 100; i++, k++)
            feed(f, k, 3.0f - 0.0025f * (float)k, 5e-3f, 0.2f, i == 99 ? vals[e] : NAN);
    Finding l[FINDINGS_MAX];
    int n = findings_list(f, l, FINDINGS_MAX);
    const Finding *of = find(l, n, FD_OVERFITTING);
    CHECK(of != NULL, "validation rising twice past the best while training falls: overfitting");
    int best_ok = 0;
    for (int i = 0; of && i < of->n_numbers; i++)
        if (!strcmp(of->numbers[i].key, "best_step") && of->numbers[i].value == 400)
            best_ok = 1;
    CHECK(of && best_ok && strstr(of->text, "1.900 at step 400"), "it names the best step and its loss: %s",
          of ? of->text : "");
    CHECK(of && of->severity == SEV_PROBLEM, "worse than the n-gram now: a problem");
    CHECK(!is_active(f, FD_UNDERFITTING), "never underfitting beside overfitting");
    /* the same curves 3 nats higher: held-out text was never predicted better
     * than by the unigram (3.2), so there was no fit to lose (a broken run
     * whose losses wander is not memorising anything) */
    findings_init(f, &c);
    k = 1;
    for (int e = 0; e < 7; e++)
        for (int i = 0; i < 100; i++, k++)
            feed(f, k, 6.0f - 0.0025f * (float)k, 5e-3f, 0.2f, i == 99 ? vals[e] + 3.0f : NAN);
    CHECK(!is_active(f, FD_OVERFITTING), "no overfitting when the best validation loss is above the unigram's");
    free(f);
}

static void check_failure(void)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    findings_init(f, &c);
    for (long k = 1; k <= 5; k++)
        feed(f, k, 4.0f, 5e-3f, 0.2f, NAN);
    findings_observe_failure(f, 6, "step 6: the loss is not finite");
    Finding l[FINDINGS_MAX];
    int n = findings_list(f, l, FINDINGS_MAX);
    const Finding *nf = find(l, n, FD_NONFINITE), *dv = find(l, n, FD_DIVERGED);
    CHECK(nf && dv && nf->cause == FD_DIVERGED && strstr(nf->text, "not finite"),
          "a non-finite step: nonfinite, under diverged");
    CHECK(dv && dv->cause == FD_LR_HIGH && !strcmp(findings_verdict(f), "lr_high"),
          "a diverged run names its learning rate as the cause");
    free(f);
}

static void check_format(void)
{
    char a[32];
    findings_format_small(0.0, a, sizeof a);
    CHECK(!strcmp(a, "below 1e-30"), "0 reads as 'below 1e-30' (%s)", a);
    findings_format_small(1e-31, a, sizeof a);
    CHECK(!strcmp(a, "below 1e-30"), "1e-31 too (%s)", a);
    findings_format_small(3e-10, a, sizeof a);
    CHECK(!strcmp(a, "3e-10"), "3e-10 (%s)", a);
    findings_format_small(0.52, a, sizeof a);
    CHECK(!strcmp(a, "0.52"), "0.52 (%s)", a);
}

static void check_json(void)
{
    Findings *f = malloc(sizeof *f);
    FindingsContext c = context();
    findings_init(f, &c);
    for (long k = 1; k <= 40; k++)
        feed(f, k, 4.0f, 2.0f, 1.0f, NAN);
    StrBuf b;
    strbuf_init(&b);
    findings_append_report_json(&b, f);
    CHECK(b.data && !strncmp(b.data, "{\"verdict\":\"lr_high\",\"step\":40,\"findings\":[{\"id\":\"lr_high\"", 57) &&
              strstr(b.data, "\"cause\":null") && strstr(b.data, "\"cause\":\"lr_high\"") &&
              strstr(b.data, "\"numbers\":{\"update_ratio\":"),
          "the JSON report: verdict, step, findings with cause and numbers");
    strbuf_free(&b);
    free(f);
    /* numbers with 9 significant digits: a float32 reads back bit for bit */
    Finding one;
    memset(&one, 0, sizeof one);
    one.id = FD_LR_HIGH;
    one.cause = FD_NONE;
    one.n_numbers = 2;
    one.numbers[0].key = "update_ratio";
    one.numbers[0].value = (double)0.1f;
    one.numbers[1].key = "grad_norm";
    one.numbers[1].value = (double)1.00000012f;
    strbuf_init(&b);
    findings_append_json(&b, &one);
    const char *u = b.data ? strstr(b.data, "\"update_ratio\":") : NULL;
    const char *g = b.data ? strstr(b.data, "\"grad_norm\":") : NULL;
    CHECK(u && g && strtof(u + 15, NULL) == 0.1f && strtof(g + 12, NULL) == 1.00000012f &&
              strstr(b.data, "\"grad_norm\":1.00000012}"),
          "finding numbers round-trip to float32 (%s)", b.data ? b.data : "");
    strbuf_free(&b);
}

static void check_save_load(void)
{
    Findings *f = malloc(sizeof *f), *g = malloc(sizeof *g);
    FindingsContext c = context();
    findings_init(f, &c);
    for (long k = 1; k <= 120; k++)
        feed(f, k, 4.0f, k < 50 ? 2.0f : 5e-3f, 1.0f, NAN);
    char path[] = "/tmp/rnnscope-findings-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    StWriter *w = st_writer_new();
    float one = 1;
    int64_t shape[1] = {1};
    st_add_f32(w, "x", &one, 1, shape);
    findings_save(f, w);
    Err err;
    int rc = st_writer_save(w, path, &err);
    st_writer_free(w);
    StFile file;
    rc = rc ? rc : st_read(&file, path, &err);
    findings_init(g, &c);
    rc = rc ? rc : findings_load(g, &file, &err);
    CHECK(rc == 0, "the state saves and loads (%s)", rc ? err.msg : "ok");
    Finding a[FINDINGS_MAX], b[FINDINGS_MAX];
    int na = findings_list(f, a, FINDINGS_MAX), nb = findings_list(g, b, FINDINGS_MAX);
    int same = na == nb && findings_n_events(f) == findings_n_events(g);
    for (int i = 0; same && i < na; i++)
        same = a[i].id == b[i].id && a[i].since == b[i].since && !strcmp(a[i].text, b[i].text);
    CHECK(same && na > 0, "the loaded engine lists the same findings, words and events (%d, %d)", na, nb);
    feed(f, 121, 4.0f, 5e-3f, 0.2f, NAN);
    feed(g, 121, 4.0f, 5e-3f, 0.2f, NAN);
    na = findings_list(f, a, FINDINGS_MAX);
    nb = findings_list(g, b, FINDINGS_MAX);
    CHECK(na == nb && f->ema_fast == g->ema_fast && f->clip_count == g->clip_count, "and goes on identically");
    if (rc == 0)
        st_free(&file);

    /* damaged states: ERR_INPUT, the engine untouched */
    const char *bad[] = {"findings/1 1 2 3", "other/1 0", "findings/1 x", "findings/1 nan", "findings/1 1e300"};
    for (int i = 0; i < 5; i++) {
        w = st_writer_new();
        st_add_f32(w, "x", &one, 1, shape);
        st_add_meta(w, "findings.state", bad[i]);
        st_writer_save(w, path, &err);
        st_writer_free(w);
        findings_init(g, &c);
        long before = g->n_events;
        if (st_read(&file, path, &err) == 0) {
            rc = findings_load(g, &file, &err);
            st_free(&file);
            CHECK(rc == ERR_INPUT && strstr(err.msg, "findings.state") && g->n_events == before,
                  "damaged state '%s': one line, nothing changed (%s)", bad[i], err.msg);
        }
    }
    unlink(path);
    free(f);
    free(g);
}

/* A run saved and resumed keeps its findings and their history. */
static void check_trainer_resume(void)
{
    const char *d = getenv("RNNSCOPE_TESTS");
    TrainConfig c;
    train_config_default(&c);
    snprintf(c.corpus, sizeof c.corpus, "%s/../corpora/lighthouse.txt", d ? d : "tests");
    c.hidden = 16;
    c.embed = 8;
    c.batch = 4;
    c.seq = 16;
    c.threads = 1;
    c.clip = 1e-4f; /* clipping on every step: clip_always appears at step 100 */
    c.eval_every = 0;
    Trainer t, u;
    Err err;
    if (trainer_init(&t, &c, &err) != 0) {
        CHECK(0, "init: %s", err.msg);
        return;
    }
    StepInfo s;
    for (int i = 0; i < 110; i++)
        trainer_step(&t, &s, &err);
    CHECK(t.findings.st[FD_CLIP_ALWAYS].active, "the trainer's own engine saw clipping on every step");
    char path[] = "/tmp/rnnscope-findings-run-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    int rc = trainer_save(&t, path, &err);
    rc = rc ? rc : trainer_resume(&u, path, &c, NULL, &err);
    CHECK(rc == 0, "saved and resumed (%s)", rc ? err.msg : "ok");
    if (rc == 0) {
        CHECK(u.findings.st[FD_CLIP_ALWAYS].active && u.findings.st[FD_CLIP_ALWAYS].since ==
                                                          t.findings.st[FD_CLIP_ALWAYS].since &&
                  u.findings.n_events == t.findings.n_events,
              "the resumed run has the same findings and events");
        StepInfo a, b;
        trainer_step(&t, &a, &err);
        trainer_step(&u, &b, &err);
        CHECK(t.findings.ema_fast == u.findings.ema_fast && t.findings.clip_count == u.findings.clip_count,
              "and its engine goes on exactly as the uninterrupted one's");
        trainer_free(&u);
    }
    trainer_free(&t);
    unlink(path);
}

int main(void)
{
    check_hysteresis();
    check_causes();
    check_early_spike();
    check_underfitting_cause();
    check_overfitting();
    check_failure();
    check_format();
    check_json();
    check_save_load();
    check_trainer_resume();
    return check_summary();
}
