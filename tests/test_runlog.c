/* test_runlog.c — the --log reader `rnnscope watch` follows a run with
 * (src/core/runlog.c): a line the writer is still writing is kept until its
 * newline and never parsed half; a malformed line is skipped with one note
 * and the lines after it still count; a resumed run's later session wins
 * over the earlier one's steps from its start step on (with a start record,
 * and in an older log without one); a log truncated or replaced is read
 * again from its start; the record it builds for the dashboard counts the
 * steps --log-every left out, and its findings are the logged events.
 *
 * Not for: the watching thread and the dashboard (tests/e2e_watch.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "runlog.h"

static int n_notes;
static char last_note[600];

static void note(void *ctx, int kind, const char *msg)
{
    (void)ctx;
    if (kind == RUNLOG_NOTE_SKIPPED)
        n_notes++;
    snprintf(last_note, sizeof last_note, "%s", msg);
}

static RunLog *fresh(RunLog *l, const char *path)
{
    runlog_init(l, path);
    l->note = note;
    n_notes = 0;
    last_note[0] = '\0';
    return l;
}

/* A step line as steplog.c writes it (the fields the reader takes). */
static void step_line(char *out, size_t cap, long step, double loss, int clipped)
{
    snprintf(out, cap,
             "{\"step\":%ld,\"epoch\":%.3f,\"loss\":%.9g,\"lr\":0.002,\"grad_norm\":%.3f,\"clipped\":%s,\"clamped\":0,"
             "\"tokens_per_s\":1000,\"ms\":2,\"grad_norms\":{\"embedding.weight\":0.5,\"rnn.weight_ih_l0\":0.25,"
             "\"rnn.weight_hh_l0\":0.125,\"rnn.bias_ih_l0\":0.1,\"rnn.bias_hh_l0\":0.1,\"head.weight\":1,"
             "\"head.bias\":0.75},\"update_ratios\":{\"embedding.weight\":0.001,\"rnn.weight_ih_l0\":0.002,"
             "\"rnn.weight_hh_l0\":0.003,\"rnn.bias_ih_l0\":0.001,\"rnn.bias_hh_l0\":0.001,\"head.weight\":0.004,"
             "\"head.bias\":0.005},\"gate_grad_norms\":[[0.1,0.2,0.3,0.4]],\"clip\":5,"
             "\"gate_saturation\":[[0.01,0.02,0.5,0.03]],\"gate_mean\":[[0.6]],\"flow_stride\":1,"
             "\"flow\":[[0.1,0.2,0.3,null]]%s}\n",
             step, step / 100.0, loss, loss / 2, clipped ? "true" : "false",
             step >= 20 ? ",\"decay_step\":20,\"decay\":[[0.01,0.02,0.04,0.08]],\"decay_ratio\":[0.125]" : "");
}

static void feed_str(RunLog *l, const char *s)
{
    runlog_feed(l, s, strlen(s));
}

static void feed_step(RunLog *l, long step, double loss, int clipped)
{
    char line[4096];
    step_line(line, sizeof line, step, loss, clipped);
    feed_str(l, line);
}

static void feed_start(RunLog *l, long first)
{
    char line[1024];
    snprintf(line, sizeof line,
             "{\"event\":\"start\",\"run\":\"0123456789abcdef\",\"step\":%ld,\"save\":\"/runs/x.safetensors\","
             "\"control\":\"/runs/x.jsonl.sock\",\"ranks\":4,\"pid\":4242,\"host\":\"node7\",\"cell\":\"lstm\","
             "\"layers\":1,\"hidden\":32,\"embed\":16,\"vocab\":75,\"tokenizer\":\"char\",\"tensors\":"
             "[\"embedding.weight\",\"rnn.weight_ih_l0\",\"rnn.weight_hh_l0\",\"rnn.bias_ih_l0\",\"rnn.bias_hh_l0\","
             "\"head.weight\",\"head.bias\"],\"corpus\":\"/data/c.txt\"}\n",
             first);
    feed_str(l, line);
}

static void feed_eval(RunLog *l, long step, double v)
{
    char line[128];
    snprintf(line, sizeof line, "{\"step\":%ld,\"val_loss\":%.9g}\n", step, v);
    feed_str(l, line);
}

static void feed_finding(RunLog *l, const char *id, int appeared, long step)
{
    char line[1024];
    if (appeared)
        snprintf(line, sizeof line,
                 "{\"finding\":\"%s\",\"event\":\"appeared\",\"step\":%ld,\"severity\":\"warning\",\"record\":"
                 "{\"id\":\"%s\",\"severity\":\"warning\",\"subject\":\"run\",\"since\":%ld,\"cause\":null,"
                 "\"text\":\"the text the run wrote at %ld\",\"advice\":\"do this\",\"numbers\":{\"ratio\":0.5,"
                 "\"steps\":null}}}\n",
                 id, step, id, step, step);
    else
        snprintf(line, sizeof line, "{\"finding\":\"%s\",\"event\":\"cleared\",\"step\":%ld,\"severity\":\"warning\"}\n",
                 id, step);
    feed_str(l, line);
}

static void test_partial_lines(void)
{
    RunLog l_store, *l = fresh(&l_store, "test.jsonl");
    char line[4096];
    step_line(line, sizeof line, 10, 3.5, 0);
    size_t n = strlen(line), cut = n / 2;
    long got = runlog_feed(l, line, cut);
    CHECK(got == 0 && l->n_pts == 0 && l->malformed == 0, "half a line is kept, not parsed (lines %ld, points %zu)",
          got, l->n_pts);
    got = runlog_feed(l, line + cut, n - cut - 1); /* all but the newline */
    CHECK(got == 0 && l->n_pts == 0, "a line without its newline is still kept");
    got = runlog_feed(l, "\n", 1);
    CHECK(got == 1 && l->n_pts == 1 && l->pts[0].step == 10 && fabsf(l->pts[0].loss - 3.5f) < 1e-6f,
          "the newline completes it: one step, step 10, loss 3.5");
    /* a byte at a time, two lines */
    step_line(line, sizeof line, 20, 3.25, 1);
    size_t n2 = strlen(line);
    for (size_t i = 0; i < n2; i++)
        runlog_feed(l, line + i, 1);
    feed_eval(l, 20, 3.0);
    CHECK(l->n_pts == 2 && l->pts[1].clipped && l->n_evals == 1 && l->evals[0].step == 20 && n_notes == 0,
          "a line fed a byte at a time parses whole (clipped), then an evaluation");
    CHECK(l->have_last && l->last.step == 20 && l->last.n_tensors == 7 && l->last.n_layers == 1 &&
              l->last.n_gates == 4 && l->last.flow_len == 4 && isnan(l->last.flow[3]) && l->last.decay_step == 20 &&
              fabsf(l->last.decay[3] - 0.08f) < 1e-7f && fabsf(l->last.gate_sat[0][2] - 0.5f) < 1e-7f &&
              fabsf(l->last.update_ratio[6] - 0.005f) < 1e-9f && fabsf(l->last.gate_mean[0] - 0.6f) < 1e-7f,
          "the latest step line is kept whole: norms, gates, flow (null is NaN), decay probe, saturation");
    CHECK(!strcmp(l->tensor_names[2], "rnn.weight_hh_l0"), "the tensor names come from the step line");
    runlog_free(l);
}

static void test_malformed(void)
{
    RunLog l_store, *l = fresh(&l_store, "bad.jsonl");
    feed_step(l, 10, 3.0, 0);
    feed_str(l, "this is not JSON\n");
    feed_str(l, "{\"step\":20,\"loss\":\n"); /* cut short (the writer crashed mid-line, then resumed) */
    feed_str(l, "[1,2,3]\n");
    feed_str(l, "{\"color\":\"blue\"}\n");
    feed_str(l, "{\"step\":0,\"loss\":1}\n");            /* step 0 is no step */
    feed_str(l, "{\"finding\":\"nonsense\",\"event\":\"appeared\",\"step\":5}\n");
    feed_str(l, "\n   \n");                              /* blank lines are nothing */
    feed_str(l, "{\"event\":\"checkpoint\",\"step\":20}\n"); /* a newer writer's event: skipped quietly */
    feed_step(l, 20, 2.5, 0);
    CHECK(l->n_pts == 2 && l->pts[1].step == 20, "the lines after malformed ones still count (points %zu)", l->n_pts);
    CHECK(l->malformed == 6 && n_notes == 6, "six malformed lines, one note each (%ld, %d)", l->malformed, n_notes);
    CHECK(strstr(last_note, "bad.jsonl line 7") != NULL, "a note names the file and line: %s", last_note);
    for (int i = 0; i < 40; i++)
        feed_str(l, "garbage\n");
    CHECK(l->malformed == 46 && n_notes == RUNLOG_NOTES_MAX, "past %d notes they are only counted (%d notes, %ld lines)",
          RUNLOG_NOTES_MAX, n_notes, l->malformed);
    runlog_free(l);
}

static void test_sessions(void)
{
    RunLog l_store, *l = fresh(&l_store, "s.jsonl");
    feed_start(l, 1);
    for (long s = 10; s <= 60; s += 10) {
        feed_step(l, s, 4.0 - s / 100.0, 0);
        if (s % 20 == 0)
            feed_eval(l, s, 3.9 - s / 100.0);
    }
    feed_finding(l, "clip_always", 1, 30);
    feed_finding(l, "clip_always", 0, 50);
    long rev = l->revision;
    CHECK(l->have_start && l->start.step == 1 && l->start.ranks == 4 && l->start.pid == 4242 &&
              !strcmp(l->start.control, "/runs/x.jsonl.sock") && l->start.have_model && l->start.model.hidden == 32 &&
              l->start.n_tensors == 7 && !strcmp(l->start.save, "/runs/x.safetensors"),
          "the start record: step, ranks, pid, socket, model, tensors, checkpoint");
    /* the run is resumed from its save at step 40: steps 41.. again, other numbers */
    feed_start(l, 41);
    CHECK(l->n_pts == 4 && l->pts[3].step == 40 && l->n_evals == 2 && l->evals[1].step == 40 && l->n_events == 1 &&
              l->revision != rev,
          "a start record at step 41 drops the earlier session's steps 50, 60, its evaluation at 60, the clearing at 50");
    for (long s = 50; s <= 80; s += 10) {
        feed_step(l, s, 2.0, 1);
        if (s % 20 == 0)
            feed_eval(l, s, 1.9);
    }
    int ok = l->n_pts == 8;
    for (size_t i = 0; ok && i < l->n_pts; i++)
        ok = l->pts[i].step == (long)(i + 1) * 10 && (l->pts[i].step <= 40 ? l->pts[i].loss > 3.0f : l->pts[i].loss == 2.0f);
    CHECK(ok, "the steps are 10..80 once each, the later session's from 50 on");
    CHECK(l->n_evals == 4 && l->evals[2].step == 60 && fabsf(l->evals[2].val_loss - 1.9f) < 1e-6f && l->evals[3].step == 80,
          "the evaluations: 20, 40 of the first session, 60, 80 of the second");
    CHECK(l->n_starts == 2 && l->start.step == 41, "the latest start record is kept");

    /* an older rnnscope's log: no start records, the resumed session's steps go back */
    RunLog m_store, *m = fresh(&m_store, "old.jsonl");
    feed_step(m, 10, 3.0, 0);
    feed_step(m, 20, 2.9, 0);
    feed_step(m, 30, 2.8, 0);
    feed_eval(m, 30, 2.7);
    feed_step(m, 20, 1.5, 0); /* resumed from its save at step 10 */
    CHECK(m->n_pts == 2 && m->pts[1].step == 20 && m->pts[1].loss == 1.5f && m->n_evals == 0 && !m->have_start,
          "without a start record a step that goes back starts a session: steps 20, 30 and the evaluation at 30 go");
    feed_step(m, 30, 1.4, 0);
    feed_step(m, 40, 1.3, 0);
    CHECK(m->n_pts == 4 && m->pts[3].step == 40 && m->pts[2].loss == 1.4f, "and the later session goes on from there");
    runlog_free(m);
    runlog_free(l);
}

static void test_record(void)
{
    RunLog l_store, *l = fresh(&l_store, "r.jsonl");
    feed_start(l, 1);
    for (long s = 10; s <= 50; s += 10)
        feed_step(l, s, 3.0, s == 40);
    feed_eval(l, 20, 2.5);
    feed_eval(l, 40, 2.4);
    feed_finding(l, "lr_high", 1, 20);
    feed_finding(l, "clip_always", 1, 30);
    feed_finding(l, "lr_high", 0, 40);
    History h;
    history_init(&h);
    runlog_push_history(l, 0, &h);
    CHECK(h.n_recent == 5 && h.n_steps == 50 && h.clip_count == 10 && h.n_val == 2,
          "the record: 5 logged points standing for 50 steps, the clipped one for 10, 2 validation points "
          "(%ld recent, %ld steps, %ld clipped, %d val)", h.n_recent, h.n_steps, h.clip_count, h.n_val);
    const HistRecent *r = history_recent(&h, 0);
    CHECK(r && r->step == 50 && fabsf(r->grad_norms[0] - 0.5f) < 1e-7f && fabsf(r->gate_grad_norms[0][3] - 0.4f) < 1e-7f,
          "the latest point carries its per-tensor and per-gate norms");
    history_clear(&h);
    runlog_push_history(l, 30, &h); /* after a checkpoint at step 30 */
    CHECK(h.n_recent == 2 && history_recent(&h, 1)->step == 40 && h.n_steps == 20 && h.clip_count == 10 && h.n_val == 1,
          "after a checkpoint's step 30: points 40 and 50 (20 steps), the evaluation at 40");
    history_free(&h);

    Findings f;
    FindingsContext ctx;
    memset(&ctx, 0, sizeof ctx);
    findings_init(&f, &ctx);
    Finding rec[FD_COUNT];
    int have[FD_COUNT];
    runlog_apply_findings(l, 0, &f, rec, have);
    CHECK(!f.st[FD_LR_HIGH].active && f.st[FD_CLIP_ALWAYS].active && f.st[FD_CLIP_ALWAYS].since == 30 &&
              f.st[FD_CLIP_ALWAYS].severity == SEV_WARNING && f.n_events == 3 && f.last_step == 50,
          "the logged events decide what is active: clip_always since 30, lr_high cleared at 40");
    CHECK(have[FD_CLIP_ALWAYS] && !have[FD_LR_HIGH] && !strcmp(rec[FD_CLIP_ALWAYS].text, "the text the run wrote at 30") &&
              rec[FD_CLIP_ALWAYS].n_numbers == 2 && !strcmp(rec[FD_CLIP_ALWAYS].numbers[0].key, "ratio") &&
              isnan(rec[FD_CLIP_ALWAYS].numbers[1].value),
          "an active finding is described by the record the run logged (its text, its numbers; null is NaN)");
    findings_init(&f, &ctx);
    runlog_apply_findings(l, 30, &f, rec, have);
    CHECK(f.n_events == 1 && !f.st[FD_CLIP_ALWAYS].active, "after a checkpoint's step 30 only the clearing at 40 applies");
    findings_init(&f, &ctx); /* a checkpoint at step 35 with clip_always active since 30 */
    f.st[FD_CLIP_ALWAYS] = (FindingState){1, 0, 0, 30, SEV_WARNING, FD_NONE};
    runlog_apply_findings(l, 35, &f, rec, have);
    CHECK(f.st[FD_CLIP_ALWAYS].active && have[FD_CLIP_ALWAYS] && !strcmp(rec[FD_CLIP_ALWAYS].text, "the text the run wrote at 30"),
          "a finding active at the checkpoint is described by its logged appearance before it");
    double secs;
    long steps;
    runlog_time(l, &secs, &steps);
    CHECK(steps == 50 && fabs(secs - 0.1) < 1e-9, "the time: 50 steps at 2 ms (%ld, %.4f s)", steps, secs);
    runlog_free(l);
}

static void write_file(const char *path, const char *mode, const char *text)
{
    FILE *f = fopen(path, mode);
    fputs(text, f);
    fclose(f);
}

static void test_file(void)
{
    char dir[] = "/tmp/test_runlog.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "a scratch folder");
        return;
    }
    char path[256], other[256];
    snprintf(path, sizeof path, "%s/run.jsonl", dir);
    snprintf(other, sizeof other, "%s/new.jsonl", dir);
    char a[4096], b[4096];
    step_line(a, sizeof a, 10, 3.0, 0);
    step_line(b, sizeof b, 20, 2.5, 0);
    write_file(path, "w", a);
    FILE *f = fopen(path, "a");
    fwrite(b, 1, strlen(b) / 3, f); /* the writer is mid-line */
    fclose(f);
    RunLog l_store, *l = fresh(&l_store, path);
    RunLogPoll p;
    Err err;
    int rc = runlog_poll(l, &p, &err);
    CHECK(rc == 0 && p.lines == 1 && !p.reset && l->n_pts == 1, "a poll takes the complete line, keeps the partial one");
    write_file(path, "a", b + strlen(b) / 3);
    rc = runlog_poll(l, &p, &err);
    CHECK(rc == 0 && p.lines == 1 && l->n_pts == 2 && l->pts[1].step == 20 && l->malformed == 0,
          "the next poll completes it: step 20, nothing malformed");
    rc = runlog_poll(l, &p, &err);
    CHECK(rc == 0 && p.lines == 0 && !p.reset, "a poll of a file that did not grow reads nothing");
    /* truncated: the same file, shorter */
    long rev = l->revision;
    step_line(a, sizeof a, 5, 4.0, 0);
    write_file(path, "w", a);
    rc = runlog_poll(l, &p, &err);
    CHECK(rc == 0 && p.reset && l->n_pts == 1 && l->pts[0].step == 5 && l->revision != rev,
          "a truncated log is read again from its start (reset, one step: 5)");
    /* replaced: another file renamed over it, longer than what was read */
    char big[3 * 4096];
    step_line(big, sizeof big, 7, 1.0, 0);
    step_line(a, sizeof a, 8, 1.0, 0);
    strcat(big, a);
    step_line(a, sizeof a, 9, 1.0, 0);
    strcat(big, a);
    write_file(other, "w", big);
    rename(other, path);
    rc = runlog_poll(l, &p, &err);
    CHECK(rc == 0 && p.reset && l->n_pts == 3 && l->pts[0].step == 7, "a log replaced by another file is read from its start");
    unlink(path);
    rc = runlog_poll(l, &p, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "run.jsonl") && l->n_pts == 3,
          "a log that is gone is an error naming it, and the record is kept: %s", err.msg);
    rmdir(dir);
    runlog_free(l);
}

int main(void)
{
    test_partial_lines();
    test_malformed();
    test_sessions();
    test_record();
    test_file();
    return check_summary();
}
