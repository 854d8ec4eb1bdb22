/* runner.c — the trainer thread (see runner.h).
 *
 * Heavy work (a step, an evaluation, a save, a load) runs with the lock
 * released; the lock is only held to move commands in and results out, so the
 * UI thread never waits for more than a memcpy.
 */
#include "runner.h"

#include "runner_internal.h"

#include "keep_best.h"
#include "ngram.h"
#include "run_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *runner_phase_name(RunPhase p)
{
    static const char *names[] = {"running", "paused", "stepping", "evaluating",
                                  "saving", "loading", "done", "failed"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

double runner_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void runner_poke(Runner *r)
{
    char b = 1;
    ssize_t n = write(r->wake[1], &b, 1); /* a full pipe already means "wake up" */
    (void)n;
}

/* Under mu. */
void runner_msg(Runner *r, int level, const char *fmt, ...)
{
    int idx;
    if (r->m_len == RUNNER_MSGS) {
        r->m_head = (r->m_head + 1) % RUNNER_MSGS; /* drop the oldest */
        r->m_len--;
    }
    idx = (r->m_head + r->m_len) % RUNNER_MSGS;
    r->m_len++;
    r->msgs[idx].level = level;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msgs[idx].text, sizeof r->msgs[idx].text, fmt, ap);
    va_end(ap);
}

/* The trainer appends to its record under our lock (trainer_set_record_lock). */
static void runner_record_lock(void *ctx, int lock)
{
    Runner *r = ctx;
    if (lock)
        pthread_mutex_lock(&r->mu);
    else
        pthread_mutex_unlock(&r->mu);
}

/* Under mu: t becomes the run, described anew (its record comes with it). */
void runner_describe(Runner *r, Trainer *t)
{
    r->t = t;
    trainer_set_record_lock(t, runner_record_lock, r);
    tokenizer_free(&r->tok);
    tokenizer_copy(&r->tok, &t->corpus.tok);
    r->hook_step = 0;
    r->generation++;
}

/* Make t the run (under the lock), parked until told to run. Freeing the old
 * Trainer is the caller's. */
static void runner_install(Runner *r, Trainer *t)
{
    r->paused = 1;
    r->budget = 0;
    r->phase = PHASE_PAUSED;
    runner_describe(r, t);
}

/* Copy m's weights out, as of step (thread side, or while the thread is parked). */
void runner_publish_model(Runner *r, const Model *m, long step)
{
    pthread_mutex_lock(&r->wmu);
    if (r->pub_n != m->n_params) {
        free(r->pub);
        r->pub = xmalloc(sizeof(float) * m->n_params);
        r->pub_n = m->n_params;
    }
    memcpy(r->pub, m->params, sizeof(float) * m->n_params);
    r->pub_version++;
    r->pub_step = step;
    pthread_mutex_unlock(&r->wmu);
    r->last_publish_s = runner_now();
}

void runner_publish(Runner *r, const Trainer *t)
{
    runner_publish_model(r, &t->model, t->step);
}

static int runner_at_end(const Runner *r)
{
    return r->t->cfg.steps > 0 && r->t->step >= r->t->cfg.steps;
}

static RunPhase runner_idle_phase(const Runner *r)
{
    if (r->phase == PHASE_FAILED)
        return PHASE_FAILED;
    if (runner_at_end(r))
        return PHASE_DONE;
    return r->paused ? PHASE_PAUSED : PHASE_RUNNING;
}

/* Under mu: F5/:run/:step on a run that reached its --steps says so. */
static int runner_refuse_at_end(Runner *r, const char *what)
{
    if (r->scripted || !runner_at_end(r))
        return 0;
    runner_msg(r, RUNNER_MSG_WARN, "%s: the run is finished (step %ld of --steps %ld); :steps N extends it to N "
               "steps (:steps 0 for no end)", what, r->t->step, r->t->cfg.steps);
    return 1;
}

/* Under mu on entry and exit: count an n-gram model of the given order on the
 * training split (with the lock released) and evaluate it on the validation
 * split, for the loss chart's baseline line. */
void runner_ngram(Runner *r, int order)
{
    Trainer *t = r->t;
    size_t n_val = t->corpus.n - t->corpus.n_train;
    if (n_val < 2) {
        runner_msg(r, RUNNER_MSG_ERROR, ":ngram %d needs a validation split; start with --val-frac above 0", order);
        return;
    }
    pthread_mutex_unlock(&r->mu);
    Err err;
    err_clear(&err);
    double loss = NAN;
    int rc = ngram_holdout_loss(&t->corpus.ids, t->corpus.n_train, order, t->corpus.tok.vocab_size,
                                &loss, &err);
    pthread_mutex_lock(&r->mu);
    if (rc) {
        runner_msg(r, RUNNER_MSG_ERROR, "%s", err.msg);
        return;
    }
    r->ngram_order = order;
    r->ngram_loss = loss;
    if (r->csv)
        r->csv->ngram_loss = loss;
    runner_msg(r, RUNNER_MSG_GOOD, "%d-gram baseline (Kneser-Ney, %zu training tokens): validation loss %.4f "
               "nats/token, the dashed line on the loss chart", order, t->corpus.n_train, loss);
}

/* Thread side, lock released: one step's rows and events for --csv and --tensorboard. */
static int runner_export_step(CsvLog *csv, TbWriter *tb, Trainer *t, const StepInfo *info, double ngram,
                              Err *err)
{
    if (csv)
        csvlog_step(csv, info, &t->model);
    if (!tb)
        return 0;
    return tbwriter_step(tb, &t->model, info, t->cfg.eval_every > 0 ? t->cfg.eval_every : 100, ngram, err);
}

/* Under mu on entry and exit; may release it for heavy work. */
static void runner_handle(Runner *r, RunCmd *c)
{
    Trainer *t = r->t;
    Err err;
    err_clear(&err);
    switch (c->kind) {
    case RUN_CMD_PAUSE:
        r->paused = 1;
        r->budget = 0;
        r->phase = runner_idle_phase(r);
        break;
    case RUN_CMD_RUN:
        if (runner_refuse_at_end(r, ":run"))
            break;
        r->paused = 0;
        r->budget = 0;
        if (r->phase == PHASE_FAILED)
            runner_msg(r, RUNNER_MSG_WARN, "training failed earlier; :load a checkpoint or change :lr, then :run");
        r->phase = runner_idle_phase(r);
        if (r->phase == PHASE_FAILED) {
            r->phase = PHASE_RUNNING; /* let the user try again, e.g. after :lr */
        }
        break;
    case RUN_CMD_STEP:
        if (runner_refuse_at_end(r, ":step"))
            break;
        if (!r->scripted && r->budget > 0)
            runner_msg(r, RUNNER_MSG_INFO, ":step %ld adds to the %ld steps still to go: %ld to go", c->n, r->budget,
                       r->budget + c->n);
        r->paused = 1;
        r->budget += c->n;
        if (r->phase == PHASE_FAILED)
            r->phase = PHASE_PAUSED;
        break;
    case RUN_CMD_SET_STEPS:
        if (c->n > 0 && c->n <= t->step) {
            runner_msg(r, RUNNER_MSG_ERROR, ":steps %ld: the run is already at step %ld; give a larger number", c->n,
                       t->step);
            break;
        }
        t->cfg.steps = c->n;
        if (c->n > 0)
            runner_msg(r, RUNNER_MSG_GOOD, "the run now ends at step %ld (%ld to go); F5 or :run continues", c->n,
                       c->n - t->step);
        else
            runner_msg(r, RUNNER_MSG_GOOD, "the run has no end now; F5 or :run continues");
        r->phase = runner_idle_phase(r);
        break;
    case RUN_CMD_SET_LR:
        trainer_set_lr(t, (float)c->value);
        runner_msg(r, RUNNER_MSG_INFO, "learning rate %g from step %ld", c->value, t->step + 1);
        break;
    case RUN_CMD_SET_CLIP:
        trainer_set_clip(t, (float)c->value);
        if (c->value > 0)
            runner_msg(r, RUNNER_MSG_INFO, "gradient clipping at norm %g", c->value);
        else
            runner_msg(r, RUNNER_MSG_INFO, "gradient clipping off");
        break;
    case RUN_CMD_EVAL: {
        RunPhase before = r->phase;
        r->phase = PHASE_EVALUATING;
        pthread_mutex_unlock(&r->mu);
        runner_poke(r);
        float v = NAN;
        int rc = trainer_eval(t, &v, &err);
        pthread_mutex_lock(&r->mu);
        r->phase = before;
        r->evals++;
        r->eval_ok = rc == 0;
        r->eval_value = v;
        snprintf(r->eval_err, sizeof r->eval_err, "%s", rc ? err.msg : "");
        if (rc) {
            runner_msg(r, RUNNER_MSG_ERROR, "%s", err.msg);
        } else {
            runner_msg(r, RUNNER_MSG_GOOD, "validation loss %.4f at step %ld", (double)v, t->step);
        }
        break;
    }
    case RUN_CMD_SAVE: {
        RunPhase before = r->phase;
        r->phase = PHASE_SAVING;
        pthread_mutex_unlock(&r->mu);
        runner_poke(r);
        int rc = run_guard_save(t, c->path, c->n != 0, "use :save! PATH to replace it", &err);
        pthread_mutex_lock(&r->mu);
        r->phase = before;
        if (rc)
            runner_msg(r, RUNNER_MSG_ERROR, "%s", err.msg);
        else
            runner_msg(r, RUNNER_MSG_GOOD, "run saved to %s (step %ld)", c->path, t->step);
        break;
    }
    case RUN_CMD_LOAD: {
        RunPhase before = r->phase;
        r->phase = PHASE_LOADING;
        TrainConfig cfg = t->cfg;
        pthread_mutex_unlock(&r->mu);
        runner_poke(r);
        Trainer *nt = xcalloc(1, sizeof *nt);
        int rc = trainer_resume(nt, c->path, &cfg, NULL, &err);
        pthread_mutex_lock(&r->mu);
        if (rc) {
            free(nt);
            r->phase = before;
            runner_msg(r, RUNNER_MSG_ERROR, "%s", err.msg);
            break;
        }
        /* the weights first: when the UI sees the new generation they are there */
        pthread_mutex_unlock(&r->mu);
        runner_publish(r, nt);
        pthread_mutex_lock(&r->mu);
        trainer_free(t);
        free(t);
        runner_install(r, nt);
        r->loads++;
        snprintf(r->loaded_path, sizeof r->loaded_path, "%s", c->path);
        runner_msg(r, RUNNER_MSG_GOOD, "loaded %s at step %ld (paused; :run to continue)", c->path, nt->step);
        if (nt->note[0])
            runner_msg(r, RUNNER_MSG_INFO, "%s", nt->note);
        break;
    }
    case RUN_CMD_PUBLISH:
        pthread_mutex_unlock(&r->mu);
        runner_publish(r, t);
        pthread_mutex_lock(&r->mu);
        break;
    case RUN_CMD_QUIT:
        r->quit = 1;
        break;
    case RUN_CMD_HISTOGRAM: {
        Histogram h;
        memset(&h, 0, sizeof h);
        pthread_mutex_unlock(&r->mu);
        int rc = trainer_histogram(t, c->path, (int)c->n, &h, &err);
        pthread_mutex_lock(&r->mu);
        r->histo = h;
        snprintf(r->histo_what, sizeof r->histo_what, "%.60s", c->path);
        snprintf(r->histo_err, sizeof r->histo_err, "%.290s", rc ? err.msg : "");
        r->histo_step = t->step;
        r->histo_done++;
        break;
    }
    case RUN_CMD_NGRAM:
        runner_ngram(r, (int)c->n);
        break;
    case RUN_CMD_REMOTE: /* a watching runner's (runner_watch.c) */
        break;
    }
}

static void *runner_main(void *arg)
{
    Runner *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (r->q_len > 0 && !r->quit) {
            RunCmd c = r->queue[r->q_head];
            r->q_head = (r->q_head + 1) % RUNNER_QUEUE;
            r->q_len--;
            r->busy = 1;
            runner_handle(r, &c);
            r->busy = 0;
            pthread_cond_broadcast(&r->done_cv);
            runner_poke(r);
        }
        if (r->quit)
            break;
        int at_end = !r->scripted && runner_at_end(r);
        int can_step = r->phase != PHASE_FAILED && !at_end && (r->budget > 0 || !r->paused) && !r->hook_step;
        if (!can_step) {
            RunPhase idle = r->hook_step ? r->phase : runner_idle_phase(r);
            if (idle == PHASE_DONE && r->phase != PHASE_DONE)
                runner_msg(r, RUNNER_MSG_GOOD, "reached --steps %ld; :steps N extends the run", r->t->cfg.steps);
            if (r->phase != idle) {
                r->phase = idle;
                runner_poke(r);
            }
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        r->phase = r->budget > 0 ? PHASE_STEPPING : PHASE_RUNNING;
        Trainer *t = r->t;
        pthread_mutex_unlock(&r->mu);

        StepInfo *info = &r->info;
        Err err;
        err_clear(&err);
        double t0 = runner_now();
        int rc = trainer_step(t, info, &err);

        pthread_mutex_lock(&r->mu);
        if (rc) {
            r->phase = PHASE_FAILED;
            r->paused = 1;
            r->budget = 0;
            r->step_fails++;
            snprintf(r->step_err, sizeof r->step_err, "%s", err.msg);
            runner_msg(r, RUNNER_MSG_ERROR, "%s (training paused)", err.msg);
            runner_poke(r);
            continue;
        }
        if (info->evaluated && !t->findings.st[FD_DIVERGED].active) {
            /* the best run by validation loss next to the one :quit saves (a diverged run is no best) */
            int kept = 0;
            pthread_mutex_unlock(&r->mu);
            int krc = keep_best_step(t, t->save_path, info, 0, &kept, &err);
            pthread_mutex_lock(&r->mu);
            if (krc)
                runner_msg(r, RUNNER_MSG_ERROR, "keeping the best run: %s", err.msg);
            else if (kept) {
                char best[TRAIN_PATH_MAX];
                keep_best_path(t->save_path, best, sizeof best);
                runner_msg(r, RUNNER_MSG_GOOD, "best validation loss so far (%.4f at step %ld): kept in %s",
                           (double)info->val_loss, info->step, best);
            }
        }
        if (r->csv || r->tb) {
            CsvLog *csv = r->csv;
            TbWriter *tb = r->tb;
            double ngram = r->ngram_order > 0 ? r->ngram_loss : NAN;
            pthread_mutex_unlock(&r->mu);
            int xrc = runner_export_step(csv, tb, t, info, ngram, &err);
            pthread_mutex_lock(&r->mu);
            if (xrc) {
                runner_msg(r, RUNNER_MSG_ERROR, "%s; TensorBoard export stopped", err.msg);
                r->tb = NULL;
            }
        }
        r->tokens += (double)t->cfg.batch * t->cfg.seq;
        r->steps_run++;
        int publish = 0;
        if (r->budget > 0) {
            r->budget--;
            publish = r->budget == 0;
        }
        if (runner_now() - r->last_publish_s >= r->publish_every_s)
            publish = 1;
        if (runner_at_end(r))
            publish = 1;
        if (publish) {
            pthread_mutex_unlock(&r->mu);
            runner_publish(r, t);
            pthread_mutex_lock(&r->mu);
        }
        r->active_s += runner_now() - t0;
        if (r->hooked && !r->scripted)
            r->hook_step = t->step; /* parked until the UI has run the hooks */
        runner_poke(r);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

Runner *runner_new(void)
{
    Runner *r = xcalloc(1, sizeof *r);
    r->wake[0] = r->wake[1] = -1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->wmu, NULL);
    pthread_cond_init(&r->cv, NULL);
    pthread_cond_init(&r->done_cv, NULL);
    r->publish_every_s = 1.0;
    return r;
}

int runner_launch(Runner *r, Trainer *t, int paused, int publish, void *(*thread_main)(void *), Err *err)
{
    if (pipe(r->wake) != 0) {
        r->wake[0] = r->wake[1] = -1;
        return err_set(err, ERR_RUNTIME, "cannot create the trainer's wake-up pipe: %s", strerror(errno));
    }
    for (int i = 0; i < 2; i++) {
        fcntl(r->wake[i], F_SETFL, fcntl(r->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(r->wake[i], F_SETFD, FD_CLOEXEC);
    }
    r->paused = paused;
    r->phase = paused ? PHASE_PAUSED : PHASE_RUNNING;
    runner_describe(r, t);
    if (publish)
        runner_publish(r, t);
    /* why: Ctrl-C must reach the main thread's handler (which may interrupt a
     * Lua script), never run on the trainer thread; it inherits this mask */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int prc = pthread_create(&r->thread, NULL, thread_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (prc != 0) {
        /* t stays the caller's: the runner forgets it (runner_free must not free it) */
        trainer_set_record_lock(t, NULL, NULL);
        r->t = NULL;
        return err_set(err, ERR_RUNTIME, "cannot start the trainer thread: %s", strerror(prc));
    }
    r->started = 1;
    return 0;
}

int runner_start(Runner *r, Trainer *t, int paused, Err *err)
{
    return runner_launch(r, t, paused, 1, runner_main, err);
}

void runner_send(Runner *r, RunCmdKind kind, long n, double value, const char *path)
{
    pthread_mutex_lock(&r->mu);
    if (kind == RUN_CMD_PAUSE) {
        /* why: a pause must hold even if a :step budget is queued behind others */
        r->paused = 1;
        r->budget = 0;
    }
    if (r->q_len < RUNNER_QUEUE) {
        RunCmd *c = &r->queue[(r->q_head + r->q_len) % RUNNER_QUEUE];
        memset(c, 0, sizeof *c);
        c->kind = kind;
        c->n = n;
        c->value = value;
        if (path)
            snprintf(c->path, sizeof c->path, "%s", path);
        r->q_len++;
    } else {
        runner_msg(r, RUNNER_MSG_WARN, "the trainer is busy; command dropped");
    }
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void runner_stop(Runner *r)
{
    if (!r->started)
        return;
    pthread_mutex_lock(&r->mu);
    r->quit = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    r->started = 0;
}

void runner_free(Runner *r)
{
    if (!r)
        return;
    runner_stop(r);
    if (r->t) {
        trainer_free(r->t);
        free(r->t);
    }
    tokenizer_free(&r->tok);
    free(r->pub);
    for (int i = 0; i < 2; i++)
        if (r->wake[i] >= 0)
            close(r->wake[i]);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->wmu);
    pthread_cond_destroy(&r->cv);
    pthread_cond_destroy(&r->done_cv);
    free(r);
}

/* Under mu. */
static int runner_parked(const Runner *r)
{
    if (r->q_len != 0 || r->busy)
        return 0;
    if (r->hook_step)
        return 1; /* waiting for runner_hooks_done: the thread touches nothing */
    return r->budget == 0 && r->paused &&
           (r->phase == PHASE_PAUSED || r->phase == PHASE_DONE || r->phase == PHASE_FAILED);
}

int runner_idle(Runner *r)
{
    pthread_mutex_lock(&r->mu);
    int idle = runner_parked(r);
    pthread_mutex_unlock(&r->mu);
    return idle;
}

void runner_set_hooked(Runner *r, int on)
{
    pthread_mutex_lock(&r->mu);
    if (r->hooked != on) {
        r->hooked = on;
        if (!on)
            r->hook_step = 0;
        pthread_cond_signal(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

void runner_hooks_done(Runner *r)
{
    pthread_mutex_lock(&r->mu);
    r->hook_step = 0;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void runner_view(Runner *r, RunView *v)
{
    pthread_mutex_lock(&r->mu);
    const Trainer *t = r->t;
    v->generation = r->generation;
    v->phase = r->phase;
    v->paused = r->paused;
    v->budget = r->budget;
    v->parked = runner_parked(r);
    v->queued = r->q_len;
    v->cfg = t->cfg;
    v->mcfg = t->model.cfg;
    v->n_params = t->model.n_params;
    v->n_tensors = t->model.n_tensors < STEP_MAX_TENSORS ? t->model.n_tensors : STEP_MAX_TENSORS;
    for (int i = 0; i < v->n_tensors; i++)
        snprintf(v->tensor_names[i], sizeof v->tensor_names[i], "%s", t->model.tensors[i].name);
    v->step = t->step;
    v->epoch = t->have_last ? t->last.epoch : 0;
    v->last_val = t->last_val_loss;
    v->have_last = t->have_last;
    if (t->have_last)
        v->last = t->last;
    v->active_s = r->active_s;
    v->tokens = r->tokens;
    v->steps_run = r->steps_run;
    v->loads = r->loads;
    snprintf(v->loaded_path, sizeof v->loaded_path, "%s", r->loaded_path);
    v->step_fails = r->step_fails;
    snprintf(v->step_err, sizeof v->step_err, "%s", r->step_err);
    v->evals = r->evals;
    v->eval_ok = r->eval_ok;
    v->eval_value = r->eval_value;
    snprintf(v->eval_err, sizeof v->eval_err, "%s", r->eval_err);
    v->histo_done = r->histo_done;
    v->ngram_order = r->ngram_order;
    v->ngram_loss = r->ngram_loss;
    v->hook_step = r->hook_step;
    runner_watch_view(r, v);
    pthread_mutex_unlock(&r->mu);
}

const History *runner_history_begin(Runner *r)
{
    pthread_mutex_lock(&r->mu);
    return &r->t->history;
}

void runner_history_end(Runner *r)
{
    pthread_mutex_unlock(&r->mu);
}

void runner_tokenizer(Runner *r, Tokenizer *out)
{
    pthread_mutex_lock(&r->mu);
    tokenizer_free(out);
    tokenizer_copy(out, &r->tok);
    pthread_mutex_unlock(&r->mu);
}

size_t runner_corpus(Runner *r, int split, size_t max, int **ids)
{
    *ids = NULL;
    pthread_mutex_lock(&r->mu);
    const Corpus *c = r->t ? &r->t->corpus : NULL;
    size_t base = split ? (c ? c->n_train : 0) : 0;
    size_t n = c ? (split ? c->n - c->n_train : c->n_train) : 0;
    if (n > max)
        n = max;
    if (n) {
        *ids = xmalloc(n * sizeof **ids);
        token_ids_copy(&c->ids, base, n, *ids);
    }
    pthread_mutex_unlock(&r->mu);
    return n;
}

int runner_histogram(Runner *r, Histogram *h, char *what, size_t what_cap, char *why, size_t why_cap, long *step)
{
    pthread_mutex_lock(&r->mu);
    int have = r->histo_done > 0;
    if (have) {
        *h = r->histo;
        snprintf(what, what_cap, "%s", r->histo_what);
        snprintf(why, why_cap, "%s", r->histo_err);
        *step = r->histo_step;
    }
    pthread_mutex_unlock(&r->mu);
    return have;
}

void runner_set_scripted(Runner *r, int on)
{
    pthread_mutex_lock(&r->mu);
    r->scripted = on;
    if (on) {
        r->hook_step = 0; /* a script takes over: its own steps run the hooks */
        r->paused = 1;    /* and no free step slips in before its pause lands */
        r->budget = 0;
    }
    pthread_cond_signal(&r->cv); /* the idle phase may change (done vs paused) */
    pthread_mutex_unlock(&r->mu);
}

void runner_findings(Runner *r, Findings *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->t->findings;
    pthread_mutex_unlock(&r->mu);
}

void runner_adopt(Runner *r, Trainer *t)
{
    pthread_mutex_lock(&r->mu);
    while (r->busy) /* e.g. a histogram still reading the old Trainer */
        pthread_cond_wait(&r->done_cv, &r->mu);
    Trainer *old = r->t;
    runner_install(r, t);
    runner_msg(r, RUNNER_MSG_GOOD, "the script's run: %s %dx%d on %s, step %ld", cell_name(t->model.cfg.cell),
               t->model.cfg.layers, t->model.cfg.hidden, t->corpus.path, t->step);
    pthread_mutex_unlock(&r->mu);
    runner_publish(r, t); /* the thread is parked: nothing else reads the model */
    if (old && old != t) {
        trainer_free(old);
        free(old);
    }
    runner_poke(r);
}

Trainer *runner_trainer(Runner *r)
{
    return r->t;
}

int runner_wake_fd(const Runner *r)
{
    return r->wake[0];
}

void runner_drain(Runner *r)
{
    char buf[256];
    while (read(r->wake[0], buf, sizeof buf) > 0)
        ;
}

int runner_pop_message(Runner *r, RunnerMsg *out)
{
    pthread_mutex_lock(&r->mu);
    int got = r->m_len > 0;
    if (got) {
        *out = r->msgs[r->m_head];
        r->m_head = (r->m_head + 1) % RUNNER_MSGS;
        r->m_len--;
    }
    pthread_mutex_unlock(&r->mu);
    return got;
}

int runner_weights(Runner *r, long *version, float *dst, size_t n, long *step)
{
    int copied = 0;
    pthread_mutex_lock(&r->wmu);
    if (r->pub_version != *version && r->pub_n == n) {
        memcpy(dst, r->pub, sizeof(float) * n);
        *version = r->pub_version;
        if (step)
            *step = r->pub_step;
        copied = 1;
    }
    pthread_mutex_unlock(&r->wmu);
    return copied;
}

void runner_set_exports(Runner *r, CsvLog *csv, TbWriter *tb)
{
    pthread_mutex_lock(&r->mu);
    r->csv = csv;
    r->tb = tb;
    if (csv && r->ngram_order > 0)
        csv->ngram_loss = r->ngram_loss;
    pthread_mutex_unlock(&r->mu);
}
