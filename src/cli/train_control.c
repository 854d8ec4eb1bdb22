/* train_control.c — the control socket's commands applied to the headless
 * training loop (see train_control.h). */
#include "train_control.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "run_guard.h"
#include "strbuf.h"

static int train_control_socket_source(void *ctx, int timeout_ms, ControlCmd *out)
{
    return control_poll(ctx, timeout_ms, out);
}

void train_control_open(TrainControl *tc, Trainer *t, StepLog *log, const TrainControlSetup *s)
{
    memset(tc, 0, sizeof *tc);
    control_init(&tc->ctl);
    tc->source = train_control_socket_source;
    tc->source_ctx = &tc->ctl;
    tc->t = t;
    tc->log = log;
    tc->setup = *s;
    if (control_abs_path(s->save_path, tc->save_abs, sizeof tc->save_abs) != 0)
        snprintf(tc->save_abs, sizeof tc->save_abs, "%s", s->save_path);
    t->log_path[0] = '\0';
    if (!s->log_path)
        return;
    if (control_abs_path(s->log_path, t->log_path, sizeof t->log_path) != 0)
        t->log_path[0] = '\0';
    Err err;
    err_clear(&err);
    if (control_open(&tc->ctl, s->log_path, &err) != 0)
        fprintf(stderr, "rnnscope: warning: %s\n", err.msg);
}

const char *train_control_socket(const TrainControl *tc)
{
    return control_listening(&tc->ctl) ? tc->ctl.path : NULL;
}

void train_control_set_source(TrainControl *tc, TrainControlSource source, int (*signalled)(void *ctx), void *ctx)
{
    tc->source = source;
    tc->signalled = signalled;
    tc->source_ctx = ctx;
}

int train_control_stopped(const TrainControl *tc)
{
    return tc->stop;
}

/* "rnnscope: control: ..." on stderr, on a line of its own. */
static void train_control_note(TrainControl *tc, const char *what)
{
    if (!tc->setup.prog)
        return;
    progress_finish(tc->setup.prog);
    fprintf(stderr, "rnnscope: control: %s\n", what);
}

/* The reply, the note on stderr and the log's event line of an applied command. */
static void train_control_done(TrainControl *tc, ControlKind k, const double *value, const char *what)
{
    control_reply(&tc->ctl, "ok %s", what);
    train_control_note(tc, what);
    steplog_control(tc->log, tc->t->step, control_kind_name(k), value);
}

static const char *train_control_phase(const TrainControl *tc)
{
    return tc->paused ? "paused" : tc->pause_at > 0 ? "stepping" : "running";
}

static void train_control_status(TrainControl *tc)
{
    const Trainer *t = tc->t;
    StrBuf b;
    strbuf_init(&b);
    strbuf_appendf(&b, "{\"step\":%ld,\"phase\":\"%s\"", t->step, train_control_phase(tc));
    if (tc->pause_at > 0)
        strbuf_appendf(&b, ",\"left\":%ld", tc->pause_at - t->step);
    strbuf_appendf(&b, ",\"lr\":%.9g,\"clip\":%.9g,\"steps\":%ld,\"save\":", (double)t->cfg.lr, (double)t->cfg.clip,
                   t->cfg.steps);
    strbuf_append_json_string(&b, tc->save_abs, strlen(tc->save_abs));
    strbuf_append_str(&b, ",\"run\":");
    strbuf_append_json_string(&b, t->run_id, strlen(t->run_id));
    strbuf_appendf(&b, ",\"pid\":%ld}", (long)getpid());
    control_reply(&tc->ctl, "ok %s", b.data);
    strbuf_free(&b);
}

static int train_control_diverged(const Trainer *t)
{
    return t->findings.st[FD_DIVERGED].active || t->findings.st[FD_DIVERGED].hold > 0;
}

static void train_control_save(TrainControl *tc)
{
    Trainer *t = tc->t;
    if (train_control_diverged(t)) {
        control_reply(&tc->ctl, "error the run has diverged: its state is not saved over the last good checkpoint "
                      "%s", tc->save_abs);
        return;
    }
    Err err;
    err_clear(&err);
    int rc = tc->setup.save ? tc->setup.save(t, tc->setup.save_path, tc->setup.force, &err)
                            : run_guard_save(t, tc->setup.save_path, tc->setup.force, tc->setup.force_hint, &err);
    if (rc != 0) {
        control_reply(&tc->ctl, "error cannot save: %s", err.msg);
        train_control_note(tc, err.msg);
        return;
    }
    if (tc->setup.last_saved)
        *tc->setup.last_saved = t->step;
    char what[TRAIN_PATH_MAX + 64];
    snprintf(what, sizeof what, "saved step %ld to %s", t->step, tc->save_abs);
    train_control_done(tc, CTL_SAVE, NULL, what);
}

/* A run that pauses or ends between steps (:pause, :stop, a signal while
 * paused) has its log end with its last step's line (before the event's), as
 * one stopped inside a step does: a reader of the log sees where it stands. */
static void train_control_last_line(TrainControl *tc)
{
    Trainer *t = tc->t;
    if (tc->log->f && t->have_last && t->last.step == t->step && tc->log->last_step != t->step)
        steplog_step(tc->log, &t->last, &t->model);
}

static void train_control_apply(TrainControl *tc, const ControlCmd *c)
{
    Trainer *t = tc->t;
    char what[256];
    double v = c->value;
    switch (c->kind) {
    case CTL_NONE:
        break;
    case CTL_PAUSE:
        snprintf(what, sizeof what, "paused at step %ld%s", t->step, tc->paused ? " (it was)" : "");
        tc->paused = 1;
        tc->pause_at = 0;
        train_control_last_line(tc);
        train_control_done(tc, CTL_PAUSE, NULL, what);
        break;
    case CTL_RUN:
        snprintf(what, sizeof what, "running from step %ld", t->step);
        tc->paused = 0;
        tc->pause_at = 0;
        train_control_done(tc, CTL_RUN, NULL, what);
        break;
    case CTL_STEP: {
        tc->paused = 0;
        tc->pause_at = t->step + c->n;
        snprintf(what, sizeof what, "stepping %ld step%s from step %ld, then paused", c->n, c->n == 1 ? "" : "s",
                 t->step);
        double n = (double)c->n;
        train_control_done(tc, CTL_STEP, &n, what);
        break;
    }
    case CTL_LR:
    case CTL_CLIP: {
        int lr = c->kind == CTL_LR;
        double now = lr ? t->cfg.lr : t->cfg.clip;
        if (isnan(v)) { /* the value, nothing changed */
            if (lr)
                control_reply(&tc->ctl, "ok lr %g", now);
            else if (now > 0)
                control_reply(&tc->ctl, "ok clip %g", now);
            else
                control_reply(&tc->ctl, "ok clip off (0)");
            break;
        }
        if (lr)
            trainer_set_lr(t, (float)v);
        else
            trainer_set_clip(t, (float)v);
        double set = lr ? t->cfg.lr : t->cfg.clip; /* as the trainer holds it: a float */
        if (!lr && set == 0)
            snprintf(what, sizeof what, "clip off from step %ld (was %g)", t->step + 1, now);
        else
            snprintf(what, sizeof what, "%s %g from step %ld (was %g)", lr ? "lr" : "clip", set, t->step + 1, now);
        train_control_done(tc, c->kind, &set, what);
        break;
    }
    case CTL_SAVE:
        train_control_save(tc);
        break;
    case CTL_STOP:
        tc->stop = 1;
        tc->stop_reply = 1; /* answered once the run is saved (train_control_end) */
        snprintf(what, sizeof what, "stopping at step %ld", t->step);
        train_control_note(tc, what);
        train_control_last_line(tc);
        steplog_control(tc->log, t->step, "stop", NULL);
        break;
    case CTL_STATUS:
        train_control_status(tc);
        break;
    }
}

int train_control_between_steps(TrainControl *tc)
{
    for (;;) {
        if (tc->pause_at > 0 && tc->t->step >= tc->pause_at) {
            tc->paused = 1; /* a :step N has run its steps */
            tc->pause_at = 0;
            train_control_last_line(tc);
        }
        int wait = tc->paused ? TRAIN_CONTROL_WAIT_MS : 0, n = 0;
        ControlCmd cmd;
        /* a client that sends commands without end gets TRAIN_CONTROL_BURST of
         * them between two steps, not the run's whole time */
        while (!tc->stop && (tc->paused || n < TRAIN_CONTROL_BURST) &&
               tc->source(tc->source_ctx, wait, &cmd) == 1) {
            train_control_apply(tc, &cmd);
            wait = 0; /* the rest of what came, then wait again */
            n++;
        }
        if (tc->stop)
            return 0;
        if (!tc->paused)
            return 1; /* a stop signal is the caller's to see, as without a socket */
        if (tc->signalled ? tc->signalled(tc->source_ctx) : cli_stop_requested()) {
            train_control_last_line(tc);
            return -1;
        }
    }
}

void train_control_end(TrainControl *tc, int saved)
{
    if (tc->stop_reply) {
        if (saved)
            control_reply(&tc->ctl, "ok stopped at step %ld; run saved to %s", tc->t->step, tc->save_abs);
        else
            control_reply(&tc->ctl, "error stopped at step %ld, but the run is not saved there (see the run's "
                          "stderr)", tc->t->step);
        tc->stop_reply = 0;
    }
    control_close(&tc->ctl);
}
