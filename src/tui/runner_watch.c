/* runner_watch.c — the watching runner (see runner_watch.h).
 *
 * The thread's turn: take the queued commands (steering goes to the control
 * socket with the lock released), then look at the files: read what the log
 * gained, read the checkpoint again if it changed, and publish; every
 * status_s ask the run its :status. The published record is built from two
 * sources the thread keeps to itself — the checkpoint's history and findings
 * as of its save (step S), and the log's lines (runlog.h) — as "the
 * checkpoint up to S, the log after S". New log lines are appended to the
 * published record in place; anything else (a newer checkpoint, a session
 * overlap, a log read again from its start) rebuilds it off the lock and
 * swaps it in, so the UI never waits for more than a swap.
 *
 * The Trainer the dashboard reads (r->t) is a shell: settings, model (the
 * checkpoint's weights, for the weight histograms), corpus (ids only when the
 * file is readable here; the checkpoint's tokenizer always), record, findings,
 * the latest step. Nothing ever steps it.
 */
#include "runner_watch.h"

#include "runner_internal.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "json.h"
#include "ngram.h"
#include "runlog.h"
#include "safetensors.h"

#define WATCH_POLL_S 0.2
#define WATCH_STATUS_S 1.0
#define WATCH_STATUS_MS 1000      /* a :status that takes longer counts as not answering */
#define WATCH_COMMAND_MS 10000    /* a command waits for the step in flight on the other side */
#define WATCH_REPLY_MAX 4096
#define WATCH_PENDING 24          /* notes kept before the runner starts */

enum { WATCH_NO_SOCKET, WATCH_SOCKET, WATCH_ELSEWHERE };

/* A checkpoint read without its corpus. */
typedef struct {
    Model model;
    Tokenizer tok;
    TrainConfig cfg;
    History hist;
    Findings find;
    long step;
    float val_loss;
    char run_id[RUN_ID_CAP];
} WatchCkpt;

struct RunnerWatch {
    WatchOptions o;
    RunLog log;
    Runner *r;                        /* set by runner_start_watch */
    long starts_seen;                 /* the log's start records taken into account */
    /* the checkpoint */
    char ckpt_path[TRAIN_PATH_MAX];   /* "" none known yet */
    int ckpt_given;                   /* the user named it: the start record does not move it */
    int ckpt_seen;
    struct stat ckpt_st;              /* of the file last read (or tried) */
    char ckpt_err[512];               /* the last failure said, not repeated */
    char warned_id[RUN_ID_CAP];       /* a checkpoint of another run than the log's, said once */
    int have_ckpt;
    WatchCkpt ck;                     /* the last read: its record, findings, step (model and tokenizer moved to r->t) */
    int ckpt_changed;                 /* the published record must be rebuilt */
    long reloads;                     /* checkpoints read since the start */
    int republish;                    /* publish the weights once more at the next turn: the UI, which took
                                         them with the new generation, then sees new weights (the bars follow) */
    char corpus_path[TRAIN_PATH_MAX]; /* the corpus read, "" none */
    int baselines;                    /* unigram and ngram3 were counted on it */
    double unigram, ngram3;           /* the findings' baselines, as the trainer counts them */
    /* the published record's sources */
    int built;
    long built_rev;
    size_t built_pts, built_evals;
    History scratch;                  /* the record the next rebuild fills */
    Findings fnext;
    Finding rec_next[FD_COUNT];
    int have_next[FD_COUNT];
    /* under r->mu: what runner_view and runner_findings_list read */
    Finding rec[FD_COUNT];
    int have_rec[FD_COUNT];
    long own_upto;                    /* findings active since this step or before are described from the
                                         checkpoint's engine (current numbers), later ones by their log record */
    char state[16];
    int no_weights;
    char no_corpus[TRAIN_PATH_MAX + 64];
    /* the remote run */
    char sock[TRAIN_PATH_MAX];        /* its control socket, "" none */
    int reach;                        /* WATCH_NO_SOCKET, WATCH_SOCKET, WATCH_ELSEWHERE */
    char host_here[256];
    double next_status_s;
    int status_ok;                    /* the last :status answered */
    int status_fails;                 /* in a row */
    int sock_gone;                    /* no run listens on the socket any more */
    char status_err[512];             /* a failure already said */
    char phase[16];                   /* the phase :status said */
    long status_step;
    int ended, ended_said;
    int catching_up;                  /* the log is being read from far behind: its past is no news */
    long own_commands;                /* commands this watch sent whose control events are not read yet */
    char log_err[512];
    char pending[WATCH_PENDING][601]; /* notes from before the runner started: the level, then the text */
    int n_pending;
};

static double watch_opt(double v, double dflt)
{
    return v > 0 ? v : dflt;
}

/* ---- messages ------------------------------------------------------------------ */

static void watch_say(RunnerWatch *w, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void watch_say(RunnerWatch *w, int level, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!w->r) {
        if (w->n_pending < WATCH_PENDING)
            snprintf(w->pending[w->n_pending++], sizeof w->pending[0], "%c%s", '0' + level, text);
        return;
    }
    pthread_mutex_lock(&w->r->mu);
    runner_msg(w->r, level, "%s", text);
    pthread_mutex_unlock(&w->r->mu);
}

static void watch_note(void *ctx, int kind, const char *msg)
{
    RunnerWatch *w = ctx;
    if (kind == RUNLOG_NOTE_SKIPPED)
        watch_say(w, RUNNER_MSG_WARN, "%s", msg);
    else if (kind == RUNLOG_NOTE_CONTROL && w->own_commands > 0)
        w->own_commands--; /* our own command: its reply said it */
    else if (!w->catching_up && w->r)
        watch_say(w, RUNNER_MSG_INFO, "%s", msg);
}

/* ---- paths ------------------------------------------------------------------------ */

/* path as it is if it can be read here, else the file of that name in dir's
 * folder (a shared filesystem mounted elsewhere on this machine); 0 if neither. */
static int watch_find(const char *path, const char *near, char *out, size_t cap)
{
    if (!path[0])
        return 0;
    if (access(path, R_OK) == 0) {
        snprintf(out, cap, "%s", path);
        return 1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *slash = strrchr(near, '/');
    char alt[2 * TRAIN_PATH_MAX];
    snprintf(alt, sizeof alt, "%.*s%s", slash ? (int)(slash - near + 1) : 0, near, base);
    if (strlen(alt) < cap && access(alt, R_OK) == 0) {
        snprintf(out, cap, "%s", alt);
        return 1;
    }
    return 0;
}

/* ---- the checkpoint ---------------------------------------------------------------- */

static void watch_ctx(const RunnerWatch *w, const TrainConfig *c, const Model *m, const Corpus *corpus,
                      FindingsContext *fc)
{
    memset(fc, 0, sizeof *fc);
    fc->cell = m->cfg.cell;
    fc->layers = m->cfg.layers;
    fc->hidden = m->cfg.hidden;
    fc->vocab = m->cfg.vocab;
    fc->seq = c->seq;
    fc->n_params = m->n_params;
    fc->n_train = corpus ? corpus->n_train : 0;
    fc->n_val = corpus ? corpus->n - corpus->n_train : 0;
    fc->optim = c->optim;
    fc->lr = c->lr;
    fc->clip = c->clip;
    fc->dropout = c->dropout;
    fc->forget_bias_one = c->forget_bias_one;
    fc->unigram = w && w->baselines ? w->unigram : 0;
    fc->ngram = w && w->baselines ? w->ngram3 : NAN;
    fc->n_tensors = m->n_tensors < STEP_MAX_TENSORS ? m->n_tensors : STEP_MAX_TENSORS;
    for (int i = 0; i < fc->n_tensors; i++)
        fc->is_matrix[i] = i != TENSOR_EMBEDDING && m->tensors[i].ndim == 2;
}

static void watch_ckpt_free(WatchCkpt *c)
{
    model_free(&c->model);
    tokenizer_free(&c->tok);
    history_free(&c->hist);
}

/* The model, settings, record and findings of the checkpoint at path: what
 * trainer_resume reads, but no corpus, optimizer or data position. */
static int watch_read_ckpt(const char *path, WatchCkpt *c, Err *err)
{
    memset(c, 0, sizeof *c);
    StFile f;
    int rc = st_read(&f, path, err);
    if (rc)
        return rc;
    if ((rc = checkpoint_read_model(&f, &c->model, &c->tok, err)) != 0) {
        st_free(&f);
        return rc;
    }
    train_config_default(&c->cfg);
    c->cfg.corpus[0] = '\0';
    for (int i = 0; i < train_config_n_fields(); i++) {
        const TcField *fd = train_config_field(i);
        char key[64];
        snprintf(key, sizeof key, "train.%s", fd->name);
        const char *v = st_meta(&f, key);
        Err e;
        if (v)
            train_config_set(&c->cfg, fd->name, v, &e); /* a setting this rnnscope refuses keeps its default */
    }
    c->cfg.cell = c->model.cfg.cell;
    c->cfg.layers = c->model.cfg.layers;
    c->cfg.hidden = c->model.cfg.hidden;
    c->cfg.embed = c->model.cfg.embed;
    c->cfg.tokenizer = c->tok.type;
    const char *step = st_meta(&f, "run.step"), *val = st_meta(&f, "run.val_loss"), *id = st_meta(&f, "run.id");
    c->step = step ? strtol(step, NULL, 10) : 0;
    if (c->step < 0)
        c->step = 0;
    c->val_loss = val ? strtof(val, NULL) : NAN;
    snprintf(c->run_id, sizeof c->run_id, "%s", id && strlen(id) < sizeof c->run_id ? id : "");
    history_init(&c->hist);
    FindingsContext fc;
    watch_ctx(NULL, &c->cfg, &c->model, NULL, &fc);
    findings_init(&c->find, &fc);
    if (step && ((rc = history_load(&c->hist, &f, err)) != 0 || (rc = findings_load(&c->find, &f, err)) != 0)) {
        st_free(&f);
        watch_ckpt_free(c);
        return rc;
    }
    st_free(&f);
    return 0;
}

static int watch_same_model(const Model *a, const Tokenizer *ta, const Model *b, const Tokenizer *tb)
{
    const ModelConfig *x = &a->cfg, *y = &b->cfg;
    if (x->cell != y->cell || x->layers != y->layers || x->hidden != y->hidden || x->embed != y->embed ||
        x->vocab != y->vocab || ta->type != tb->type || ta->vocab_size != tb->vocab_size)
        return 0;
    for (int i = 0; i < ta->vocab_size; i++)
        if (ta->token_len[i] != tb->token_len[i] || memcmp(ta->tokens[i], tb->tokens[i], (size_t)ta->token_len[i]))
            return 0;
    return 1;
}

/* The baselines the findings' words quote, counted as the trainer counts them. */
static void watch_baselines(RunnerWatch *w, const Corpus *c)
{
    trainer_baselines(c, &w->unigram, &w->ngram3);
    w->baselines = 1;
}

/* The run's corpus with the checkpoint's tokenizer, if it can be read here;
 * else an empty corpus holding the tokenizer, and why in why (cap
 * sizeof w->no_corpus; "" when it was read). */
static void watch_corpus(RunnerWatch *w, const TrainConfig *cfg, const Tokenizer *tok, Corpus *out, char *why)
{
    memset(out, 0, sizeof *out);
    char found[TRAIN_PATH_MAX];
    const char *want = w->log.have_start && w->log.start.corpus[0] ? w->log.start.corpus : cfg->corpus;
    Err err;
    err_clear(&err);
    int ok = 0;
    if (watch_find(want, w->o.log, found, sizeof found) || watch_find(cfg->corpus, w->o.log, found, sizeof found)) {
        ok = corpus_load(out, found, tok->type, cfg->max_vocab, cfg->val_frac, tok, &err) == 0;
        if (!ok)
            memset(out, 0, sizeof *out);
    }
    if (ok) {
        snprintf(w->corpus_path, sizeof w->corpus_path, "%s", found);
        why[0] = '\0';
        watch_baselines(w, out);
        return;
    }
    w->corpus_path[0] = '\0';
    w->baselines = 0;
    tokenizer_copy(&out->tok, tok);
    if (err.msg[0])
        snprintf(why, sizeof w->no_corpus, "%s", err.msg);
    else if (want[0])
        snprintf(why, sizeof w->no_corpus, "%.1000s is not here", want);
    else
        snprintf(why, sizeof w->no_corpus, "the run names no corpus");
}

/* ---- the published record ------------------------------------------------------------ */

/* dst (initialised) becomes a copy of src: History's tiers are fixed-size arrays. */
static void watch_history_copy(History *dst, const History *src)
{
    HistRecent *recent = dst->recent;
    HistBucket *coarse = dst->coarse;
    long *vs = dst->val_step;
    double *vl = dst->val_loss;
    *dst = *src;
    dst->recent = recent;
    dst->coarse = coarse;
    dst->val_step = vs;
    dst->val_loss = vl;
    memcpy(recent, src->recent, HISTORY_RECENT * sizeof *recent);
    memcpy(coarse, src->coarse, HISTORY_COARSE * sizeof *coarse);
    memcpy(vs, src->val_step, HISTORY_VAL_MAX * sizeof *vs);
    memcpy(vl, src->val_loss, HISTORY_VAL_MAX * sizeof *vl);
}

/* The step the checkpoint's record reaches: the log's lines after it are added. */
static long watch_base_step(const RunnerWatch *w)
{
    return w->have_ckpt ? w->ck.step : 0;
}

/* Publish what the log and the checkpoint hold into t (under r's lock; r may
 * be NULL before the runner starts). */
static void watch_publish(Runner *r, RunnerWatch *w, Trainer *t)
{
    RunLog *l = &w->log;
    long after = watch_base_step(w);
    int rebuild = !w->built || l->revision != w->built_rev || w->ckpt_changed;
    if (rebuild) {
        if (w->have_ckpt)
            watch_history_copy(&w->scratch, &w->ck.hist);
        else
            history_clear(&w->scratch);
        runlog_push_history(l, after, &w->scratch);
    }
    if (w->have_ckpt) {
        w->fnext = w->ck.find;
    } else {
        FindingsContext fc;
        watch_ctx(w, &t->cfg, &t->model, &t->corpus, &fc);
        findings_init(&w->fnext, &fc);
    }
    runlog_apply_findings(l, after, &w->fnext, w->rec_next, w->have_next);
    double secs;
    long steps;
    runlog_time(l, &secs, &steps);
    long last = runlog_last_step(l);
    if (after > last)
        last = after;
    if (w->status_ok && w->status_step > last)
        last = w->status_step;
    float val = w->have_ckpt ? w->ck.val_loss : NAN;
    if (l->n_evals > 0 && l->evals[l->n_evals - 1].step > after)
        val = l->evals[l->n_evals - 1].val_loss;

    if (r)
        pthread_mutex_lock(&r->mu);
    if (rebuild) {
        History old = t->history;
        t->history = w->scratch;
        w->scratch = old;
    } else {
        runlog_push_points(l, w->built_pts, after, &t->history);
        for (size_t i = w->built_evals; i < l->n_evals; i++)
            if (l->evals[i].step > after)
                history_push_val(&t->history, l->evals[i].step, l->evals[i].val_loss);
    }
    t->findings = w->fnext;
    w->own_upto = w->have_ckpt && w->baselines ? after : -1;
    memcpy(w->rec, w->rec_next, sizeof w->rec);
    memcpy(w->have_rec, w->have_next, sizeof w->have_rec);
    t->have_last = l->have_last;
    if (l->have_last)
        t->last = l->last;
    t->step = last;
    t->last_val_loss = val;
    if (r) {
        if (l->ngram_order > 0) {
            r->ngram_order = l->ngram_order;
            r->ngram_loss = l->ngram_loss;
        }
        r->active_s = secs;
        r->steps_run = w->ended ? 0 : steps; /* no ETA for a run that has ended */
        pthread_mutex_unlock(&r->mu);
    }
    w->built = 1;
    w->built_rev = l->revision;
    w->built_pts = l->n_pts;
    w->built_evals = l->n_evals;
    w->ckpt_changed = 0;
}

/* ---- following the start record ---------------------------------------------------------- */

static void watch_take_start(RunnerWatch *w)
{
    if (w->log.n_starts == w->starts_seen)
        return;
    w->starts_seen = w->log.n_starts;
    static const RunLogStart none; /* a log without one (read again from a start that has none) */
    const RunLogStart *s = w->log.have_start ? &w->log.start : &none;
    char before[TRAIN_PATH_MAX];
    snprintf(before, sizeof before, "%s", w->ckpt_path);
    if (!w->ckpt_given && s->save[0]) {
        char found[TRAIN_PATH_MAX];
        snprintf(w->ckpt_path, sizeof w->ckpt_path, "%s", watch_find(s->save, w->o.log, found, sizeof found) ? found
                                                                                                          : s->save);
    }
    /* another run in this log (or another file): the checkpoint read is not its record */
    int other = strcmp(before, w->ckpt_path) != 0 ||
                (w->have_ckpt && s->run_id[0] && w->ck.run_id[0] && strcmp(s->run_id, w->ck.run_id));
    if (other && w->have_ckpt) {
        history_free(&w->ck.hist);
        w->have_ckpt = 0;
        w->ckpt_changed = 1;
        w->ckpt_seen = 0; /* read it (or its successor) afresh */
    }
    int here = !s->host[0] || !strcmp(s->host, w->host_here);
    snprintf(w->sock, sizeof w->sock, "%s", s->control);
    w->reach = !s->control[0] ? WATCH_NO_SOCKET : here ? WATCH_SOCKET : WATCH_ELSEWHERE;
    w->sock_gone = 0;
    w->status_ok = 0;
    w->status_err[0] = '\0';
    w->next_status_s = 0;
    w->ended_said = 0;
}

/* ---- reading the files ---------------------------------------------------------------- */

/* Read the checkpoint again if it changed; 1 if a new one was taken. */
static int watch_check_ckpt(Runner *r, RunnerWatch *w, Trainer *t)
{
    if (!w->ckpt_path[0])
        return 0;
    struct stat st;
    if (stat(w->ckpt_path, &st) != 0) {
        /* not saved yet, or saved where this machine mounts the run's folder elsewhere */
        char found[TRAIN_PATH_MAX];
        if (w->ckpt_given || !w->log.have_start || !watch_find(w->log.start.save, w->o.log, found, sizeof found) ||
            stat(found, &st) != 0)
            return 0;
        snprintf(w->ckpt_path, sizeof w->ckpt_path, "%s", found);
    }
    if (w->ckpt_seen && st.st_dev == w->ckpt_st.st_dev && st.st_ino == w->ckpt_st.st_ino &&
        st.st_size == w->ckpt_st.st_size && st.st_mtim.tv_sec == w->ckpt_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == w->ckpt_st.st_mtim.tv_nsec)
        return 0;
    w->ckpt_seen = 1;
    w->ckpt_st = st;
    WatchCkpt *nc = xmalloc(sizeof *nc);
    Err err;
    if (watch_read_ckpt(w->ckpt_path, nc, &err) != 0) {
        if (strcmp(err.msg, w->ckpt_err)) {
            snprintf(w->ckpt_err, sizeof w->ckpt_err, "%s", err.msg);
            watch_say(w, RUNNER_MSG_WARN, "%s (read again at its next save)", err.msg);
        }
        free(nc);
        return 0;
    }
    w->ckpt_err[0] = '\0';
    if (w->log.have_start && w->log.start.run_id[0] && nc->run_id[0] && strcmp(w->log.start.run_id, nc->run_id) &&
        strcmp(w->warned_id, nc->run_id)) {
        snprintf(w->warned_id, sizeof w->warned_id, "%s", nc->run_id);
        watch_say(w, RUNNER_MSG_WARN, "%s holds run %s, the log %s is of run %s", w->ckpt_path, nc->run_id,
                  w->o.log, w->log.start.run_id);
    }
    int same = w->have_ckpt && !w->no_weights && watch_same_model(&t->model, &t->corpus.tok, &nc->model, &nc->tok);
    if (same) {
        /* only this thread reads t->model: the UI has its own copy (runner_weights) */
        memcpy(t->model.params, nc->model.params, sizeof(float) * t->model.n_params);
        runner_publish_model(r, &t->model, nc->step);
        model_free(&nc->model);
        tokenizer_free(&nc->tok);
        FindingsContext fc;
        watch_ctx(w, &nc->cfg, &t->model, &t->corpus, &fc);
        nc->find.ctx = fc;
        pthread_mutex_lock(&r->mu);
        float lr = t->cfg.lr, clip = t->cfg.clip;
        t->cfg = nc->cfg;
        if (w->status_ok) { /* the live values: the checkpoint's are as of its save */
            t->cfg.lr = lr;
            t->cfg.clip = clip;
        }
        pthread_mutex_unlock(&r->mu);
    } else {
        Corpus c;
        char why[sizeof w->no_corpus];
        watch_corpus(w, &nc->cfg, &nc->tok, &c, why);
        FindingsContext fc;
        watch_ctx(w, &nc->cfg, &nc->model, &c, &fc);
        nc->find.ctx = fc;
        runner_publish_model(r, &nc->model, nc->step); /* the weights first: the new generation finds them */
        pthread_mutex_lock(&r->mu);
        Model old_model = t->model;
        Corpus old_corpus = t->corpus;
        t->model = nc->model;
        t->corpus = c;
        t->cfg = nc->cfg;
        snprintf(t->run_id, sizeof t->run_id, "%s", nc->run_id);
        w->no_weights = 0;
        memcpy(w->no_corpus, why, sizeof why);
        runner_describe(r, t);
        pthread_mutex_unlock(&r->mu);
        w->republish = 1;
        memset(&nc->model, 0, sizeof nc->model);
        model_free(&old_model);
        corpus_free(&old_corpus);
        tokenizer_free(&nc->tok);
    }
    /* its record and findings replace the previous checkpoint's */
    if (w->have_ckpt)
        history_free(&w->ck.hist);
    w->ck = *nc;
    free(nc);
    w->have_ckpt = 1;
    w->ckpt_changed = 1;
    return 1;
}

/* ---- the remote run ----------------------------------------------------------------------- */

static RunPhase watch_phase_of(const char *name)
{
    return !strcmp(name, "paused") ? PHASE_PAUSED : !strcmp(name, "stepping") ? PHASE_STEPPING : PHASE_RUNNING;
}

/* Is the process that writes the log gone? Known only on its own host. */
static int watch_pid_gone(const RunnerWatch *w)
{
    const RunLogStart *s = &w->log.start;
    if (!w->log.have_start || s->pid <= 0 || (s->host[0] && strcmp(s->host, w->host_here)))
        return 0;
    return kill((pid_t)s->pid, 0) != 0 && errno == ESRCH;
}

/* Ask :status (lock not held). */
static void watch_status(RunnerWatch *w, Trainer *t)
{
    char reply[WATCH_REPLY_MAX];
    Err err;
    err_clear(&err);
    int rc = w->o.control(w->sock, ":status", reply, sizeof reply, WATCH_STATUS_MS, &err);
    if (rc == ERR_INPUT) { /* nothing listens there: the run is gone */
        w->sock_gone = 1;
        w->status_ok = 0;
        return;
    }
    JsonValue v;
    memset(&v, 0, sizeof v);
    int ok = rc == 0 && !strncmp(reply, "ok ", 3) &&
             json_parse(reply + 3, strlen(reply + 3), &v, NULL, &err) == 0 && v.type == JSON_OBJECT;
    if (!ok) {
        w->status_ok = 0;
        json_free(&v);
        if (watch_pid_gone(w)) { /* it went while answering: it has ended */
            w->sock_gone = 1;
            return;
        }
        char why[sizeof w->status_err];
        snprintf(why, sizeof why, "%.500s", rc ? err.msg : reply);
        if (++w->status_fails >= 3 && strcmp(why, w->status_err)) { /* not a run that is just ending */
            memcpy(w->status_err, why, sizeof why);
            watch_say(w, RUNNER_MSG_WARN, "the run's control socket %s does not answer :status: %s", w->sock, why);
        }
        return;
    }
    w->status_err[0] = '\0';
    w->status_fails = 0;
    w->sock_gone = 0;
    w->status_ok = 1;
    const JsonValue *phase = json_get(&v, "phase"), *step = json_get(&v, "step");
    const JsonValue *lr = json_get(&v, "lr"), *clip = json_get(&v, "clip"), *steps = json_get(&v, "steps");
    snprintf(w->phase, sizeof w->phase, "%s", phase && phase->type == JSON_STRING ? phase->string : "running");
    if (step && step->type == JSON_NUMBER && step->number >= 0 && step->number < 1e15)
        w->status_step = (long)step->number;
    if (w->r) {
        pthread_mutex_lock(&w->r->mu);
        if (lr && lr->type == JSON_NUMBER)
            t->cfg.lr = (float)lr->number;
        if (clip && clip->type == JSON_NUMBER)
            t->cfg.clip = (float)clip->number;
        if (steps && steps->type == JSON_NUMBER && steps->integer && steps->number >= 0 && steps->number < 1e15)
            t->cfg.steps = (long)steps->number; /* also before the first checkpoint says it */
        pthread_mutex_unlock(&w->r->mu);
    }
    json_free(&v);
}

/* The run's state for the header, from what is known (lock not held; sets it under the lock). */
static void watch_update_state(Runner *r, RunnerWatch *w, Trainer *t)
{
    long steps = t->cfg.steps, last = runlog_last_step(&w->log);
    int ended = w->sock_gone || watch_pid_gone(w) ||
                (w->reach != WATCH_SOCKET && steps > 0 && (last >= steps || watch_base_step(w) >= steps));
    const char *state = ended ? "ended" : w->reach == WATCH_SOCKET && w->status_ok ? w->phase : "watching";
    RunPhase phase = ended ? PHASE_DONE : w->reach == WATCH_SOCKET && w->status_ok ? watch_phase_of(w->phase)
                                                                                   : PHASE_RUNNING;
    pthread_mutex_lock(&r->mu);
    int changed = strcmp(state, w->state) != 0; /* a pause from elsewhere is said by the log's control event */
    snprintf(w->state, sizeof w->state, "%s", state);
    r->phase = phase;
    r->paused = phase != PHASE_RUNNING;
    w->ended = ended;
    if (ended)
        r->steps_run = 0; /* no ETA */
    if (ended && !w->ended_said) {
        w->ended_said = 1;
        runner_msg(r, RUNNER_MSG_GOOD, "the run has ended at step %ld: the whole run is shown", t->step);
    }
    if (!ended)
        w->ended_said = 0;
    if (changed)
        runner_poke(r);
    pthread_mutex_unlock(&r->mu);
}

/* Look at the files and the run; 1 if something was published. *more: the
 * log has more to read at once. */
static int watch_tick(Runner *r, RunnerWatch *w, Trainer *t, int *more)
{
    RunLogPoll p;
    Err err;
    int changed = 0;
    *more = 0;
    if (w->republish) {
        w->republish = 0;
        runner_publish_model(r, &t->model, watch_base_step(w));
        changed = 1;
    }
    if (runlog_poll(&w->log, &p, &err) != 0) {
        if (strcmp(err.msg, w->log_err)) {
            snprintf(w->log_err, sizeof w->log_err, "%s", err.msg);
            watch_say(w, RUNNER_MSG_ERROR, "%s (tried again)", err.msg);
        }
    } else {
        if (w->log_err[0])
            watch_say(w, RUNNER_MSG_GOOD, "%s can be read again", w->o.log);
        w->log_err[0] = '\0';
        if (p.reset) {
            watch_say(w, RUNNER_MSG_WARN, "%s was replaced or truncated: read again from its start", w->o.log);
            w->starts_seen = -1; /* its start record is taken afresh */
        }
        changed |= p.lines > 0 || p.reset;
        *more = p.more;
        w->catching_up = p.more;
    }
    watch_take_start(w);
    if (watch_check_ckpt(r, w, t)) {
        changed = 1;
        if (!w->reloads++) /* once: a run saves at every evaluation */
            watch_say(w, RUNNER_MSG_INFO, "checkpoint %s (step %ld) read: the bars, samples and weights follow "
                      "its saves", w->ckpt_path, w->ck.step);
    }
    double now = runner_now();
    if (w->reach == WATCH_SOCKET && w->o.control && now >= w->next_status_s) {
        w->next_status_s = now + watch_opt(w->o.status_s, WATCH_STATUS_S);
        long before = w->status_step;
        int was_ok = w->status_ok;
        watch_status(w, t);
        changed |= w->status_step != before || was_ok != w->status_ok;
    }
    if (changed)
        watch_publish(r, w, t);
    watch_update_state(r, w, t);
    return changed;
}

/* ---- commands ------------------------------------------------------------------------------ */

/* Why line cannot be sent, or NULL: it can (under mu). */
static const char *watch_refusal(RunnerWatch *w, char *buf, size_t cap)
{
    if (w->ended)
        snprintf(buf, cap, "the run has ended");
    else if (w->reach == WATCH_ELSEWHERE)
        snprintf(buf, cap, "the run trains on %.200s: its control socket %.400s works there only (rnnscope control "
                 "on %.200s)",
                 w->log.start.host, w->sock, w->log.start.host);
    else if (w->reach == WATCH_NO_SOCKET || !w->o.control)
        snprintf(buf, cap, "the run has no control socket (%s)",
                 w->log.have_start ? "it was started without one" : "its log has no start record naming one");
    else
        return NULL;
    return buf;
}

/* Send line to the run (under mu on entry and exit, released while waiting). */
static void watch_send(Runner *r, RunnerWatch *w, const char *line)
{
    char why[TRAIN_PATH_MAX + 200];
    if (watch_refusal(w, why, sizeof why)) {
        runner_msg(r, RUNNER_MSG_WARN, "%s: %s", line, why);
        return;
    }
    char sock[TRAIN_PATH_MAX], reply[WATCH_REPLY_MAX];
    snprintf(sock, sizeof sock, "%s", w->sock);
    Err err;
    err_clear(&err);
    pthread_mutex_unlock(&r->mu);
    int rc = w->o.control(sock, line, reply, sizeof reply, WATCH_COMMAND_MS, &err);
    pthread_mutex_lock(&r->mu);
    if (rc == ERR_INPUT) {
        w->sock_gone = 1;
        runner_msg(r, RUNNER_MSG_WARN, "%s: the run has ended (%s)", line, err.msg);
    } else if (rc) {
        runner_msg(r, RUNNER_MSG_ERROR, "%s: %s", line, err.msg);
    } else {
        int ok = !strncmp(reply, "ok", 2);
        runner_msg(r, ok ? RUNNER_MSG_GOOD : RUNNER_MSG_ERROR, "%s: %s", line, reply);
        w->own_commands += ok; /* the run logs it as a control event: not said twice */
    }
    w->next_status_s = 0; /* the header follows at once */
}

/* Under mu on entry and exit. */
static void watch_handle(Runner *r, RunnerWatch *w, const RunCmd *c)
{
    Trainer *t = r->t;
    char line[TRAIN_PATH_MAX + 16];
    Err err;
    switch (c->kind) {
    case RUN_CMD_PAUSE: watch_send(r, w, ":pause"); break;
    case RUN_CMD_RUN: watch_send(r, w, ":run"); break;
    case RUN_CMD_STEP:
        snprintf(line, sizeof line, ":step %ld", c->n > 0 ? c->n : 1);
        watch_send(r, w, line);
        break;
    case RUN_CMD_SET_LR:
        snprintf(line, sizeof line, ":lr %.9g", c->value);
        watch_send(r, w, line);
        break;
    case RUN_CMD_SET_CLIP:
        snprintf(line, sizeof line, ":clip %.9g", c->value);
        watch_send(r, w, line);
        break;
    case RUN_CMD_SAVE: watch_send(r, w, ":save"); break;
    case RUN_CMD_REMOTE: watch_send(r, w, c->path); break;
    case RUN_CMD_EVAL:
        runner_msg(r, RUNNER_MSG_WARN, ":eval: a watched run evaluates every --eval-every steps on its own; its "
                   "control socket takes :pause :run :step :lr :clip :save :stop");
        break;
    case RUN_CMD_SET_STEPS:
        runner_msg(r, RUNNER_MSG_WARN, ":steps: a watched run keeps the --steps it was started with (%ld)",
                   t->cfg.steps);
        break;
    case RUN_CMD_LOAD:
        runner_msg(r, RUNNER_MSG_WARN, ":load: this dashboard watches %s; open another run with rnnscope watch or "
                   "rnnscope tui --resume", w->o.log);
        break;
    case RUN_CMD_PUBLISH: break;
    case RUN_CMD_QUIT: r->quit = 1; break;
    case RUN_CMD_HISTOGRAM: {
        Histogram h;
        memset(&h, 0, sizeof h);
        int rc;
        if (w->no_weights)
            rc = err_set(&err, ERR_INPUT, "no checkpoint read yet: the weights come with the run's first save");
        else if (!strncmp(c->path, "grad:", 5) || !strncmp(c->path, "act:", 4))
            rc = err_set(&err, ERR_INPUT, "a watch has the weights, not the %s (F9)",
                         c->path[0] == 'g' ? "gradients" : "activations");
        else {
            pthread_mutex_unlock(&r->mu); /* t->model is this thread's */
            rc = trainer_histogram(t, c->path, (int)c->n, &h, &err);
            pthread_mutex_lock(&r->mu);
        }
        r->histo = h;
        snprintf(r->histo_what, sizeof r->histo_what, "%.60s", c->path);
        snprintf(r->histo_err, sizeof r->histo_err, "%.290s", rc ? err.msg : "");
        r->histo_step = watch_base_step(w);
        r->histo_done++;
        break;
    }
    case RUN_CMD_NGRAM: {
        int order = (int)c->n;
        if (t->corpus.n < t->corpus.n_train + 2 || t->corpus.n_train < 2) {
            runner_msg(r, RUNNER_MSG_ERROR, ":ngram %d needs the run's corpus and its validation split: %s", order,
                       w->no_corpus[0] ? w->no_corpus : "this run has no validation split");
            break;
        }
        runner_ngram(r, order);
        break;
    }
    }
}

static void *watch_main(void *arg)
{
    Runner *r = arg;
    RunnerWatch *w = r->watch;
    Trainer *t = r->t;
    double poll_s = watch_opt(w->o.poll_s, WATCH_POLL_S);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (r->q_len > 0 && !r->quit) {
            RunCmd c = r->queue[r->q_head];
            r->q_head = (r->q_head + 1) % RUNNER_QUEUE;
            r->q_len--;
            r->busy = 1;
            watch_handle(r, w, &c);
            r->busy = 0;
            pthread_cond_broadcast(&r->done_cv);
            runner_poke(r);
        }
        if (r->quit)
            break;
        pthread_mutex_unlock(&r->mu);
        int more = 0;
        int changed = watch_tick(r, w, t, &more);
        pthread_mutex_lock(&r->mu);
        if (changed)
            runner_poke(r);
        if (more || r->q_len > 0 || r->quit)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long ns = until.tv_nsec + (long)(poll_s * 1e9);
        until.tv_sec += ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&r->cv, &r->mu, &until);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* ---- the findings, described by the records the run logged ---------------------------------- */

static void watch_list_under(const Findings *f, FindingId parent, const Finding *rec, const int *have, long own_upto,
                             Finding *out, int cap, int *n, int depth)
{
    if (depth > FD_COUNT)
        return;
    for (int sev = SEV_PROBLEM; sev >= SEV_NOTE; sev--)
        for (int i = 0; i < FD_COUNT; i++) {
            const FindingState *st = &f->st[i];
            FindingId cause = st->cause >= 0 && st->cause < FD_COUNT && f->st[st->cause].active && st->cause != i
                                  ? st->cause
                                  : FD_NONE; /* a cause no longer active: a root */
            if (!st->active || cause != parent || (int)st->severity != sev)
                continue;
            if (*n < cap) {
                if (have[i] && st->since > own_upto)
                    out[*n] = rec[i];
                else
                    findings_get(f, (FindingId)i, &out[*n]);
                out[*n].severity = st->severity;
                out[*n].cause = cause;
                out[*n].depth = depth;
                (*n)++;
            }
            watch_list_under(f, (FindingId)i, rec, have, own_upto, out, cap, n, depth + 1);
        }
}

int runner_findings_list(Runner *r, const Findings *snap, Finding *out, int cap)
{
    if (!r->watch)
        return findings_list(snap, out, cap);
    static Finding rec[FD_COUNT]; /* the main thread's */
    static int have[FD_COUNT];
    pthread_mutex_lock(&r->mu);
    memcpy(rec, r->watch->rec, sizeof rec);
    memcpy(have, r->watch->have_rec, sizeof have);
    long own_upto = r->watch->own_upto;
    pthread_mutex_unlock(&r->mu);
    int n = 0;
    watch_list_under(snap, FD_NONE, rec, have, own_upto, out, cap, &n, 0);
    return n;
}

int runner_finding_get(Runner *r, const Findings *snap, FindingId id, Finding *out)
{
    if (!r->watch || id < 0 || id >= FD_COUNT || !snap->st[id].active)
        return findings_get(snap, id, out);
    Finding list[FINDINGS_MAX];
    int n = runner_findings_list(r, snap, list, FINDINGS_MAX);
    for (int i = 0; i < n; i++)
        if (list[i].id == id) {
            *out = list[i];
            return 1;
        }
    return findings_get(snap, id, out);
}

/* ---- the view ------------------------------------------------------------------------------- */

void runner_watch_view(Runner *r, RunView *v)
{
    RunnerWatch *w = r->watch;
    v->watching = w != NULL;
    v->watch_state[0] = '\0';
    v->no_weights = 0;
    v->no_corpus[0] = '\0';
    if (!w)
        return;
    snprintf(v->watch_state, sizeof v->watch_state, "%s", w->state[0] ? w->state : "watching");
    v->no_weights = w->no_weights;
    snprintf(v->no_corpus, sizeof v->no_corpus, "%s", w->no_corpus);
}

/* ---- opening --------------------------------------------------------------------------------- */

/* 1 if the file starts as a safetensors file does (8-byte length, then '{'). */
static int watch_is_checkpoint(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char b[9];
    size_t n = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    return n == sizeof b && b[8] == '{' && b[0] != '{';
}

/* 1 if the first line of the log is a start record, 0 if it is something else, -1 if it is empty. */
static int watch_first_line_is_start(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    if (n == 0)
        return -1;
    buf[n] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return strstr(buf, "\"event\":\"start\"") != NULL;
}

int runner_watch_resolve(const char *run, const char *checkpoint, WatchOptions *o, Err *err)
{
    struct stat st;
    if (stat(run, &st) != 0 || access(run, R_OK) != 0)
        return err_set(err, ERR_INPUT, "%s: cannot read it: %s; give a run's --log file or its checkpoint", run,
                       strerror(errno));
    if (S_ISDIR(st.st_mode))
        return err_set(err, ERR_INPUT, "%s is a folder; give a run's --log file or its checkpoint", run);
    if (watch_is_checkpoint(run)) {
        if (checkpoint)
            return err_set(err, ERR_INPUT, "%s is a checkpoint already: --checkpoint goes with a log "
                           "(rnnscope watch LOG --checkpoint CKPT)", run);
        StFile f;
        int rc = st_read(&f, run, err);
        if (rc)
            return rc;
        const char *log = st_meta(&f, "run.log");
        char path[TRAIN_PATH_MAX] = "";
        int found = log && log[0] && strlen(log) < sizeof path && watch_find(log, run, path, sizeof path);
        if (!log || !log[0]) {
            st_free(&f);
            return err_set(err, ERR_INPUT, "%s has no run.log: it was saved by a run without --log (or by an older "
                           "rnnscope), so there is nothing to follow; train with --log FILE, or give the log: "
                           "rnnscope watch LOG --checkpoint %s", run, run);
        }
        if (!found) {
            rc = err_set(err, ERR_INPUT, "%s names the log %.600s (run.log), which cannot be read here: %s", run, log,
                         strerror(errno));
            st_free(&f);
            return rc;
        }
        st_free(&f);
        snprintf(o->log, sizeof o->log, "%s", path);
        snprintf(o->checkpoint, sizeof o->checkpoint, "%s", run);
        return 0;
    }
    snprintf(o->log, sizeof o->log, "%s", run);
    o->checkpoint[0] = '\0';
    if (checkpoint) {
        if (stat(checkpoint, &st) != 0 || access(checkpoint, R_OK) != 0)
            return err_set(err, ERR_INPUT, "--checkpoint %s: cannot read it: %s", checkpoint, strerror(errno));
        snprintf(o->checkpoint, sizeof o->checkpoint, "%s", checkpoint);
    } else if (watch_first_line_is_start(run) == 0) {
        return err_set(err, ERR_INPUT, "%s has no start record (an older rnnscope wrote it, or it is not a --log "
                       "file), so it names no checkpoint; give it: rnnscope watch %s --checkpoint CKPT", run, run);
    }
    return 0;
}

void runner_watch_free(RunnerWatch *w)
{
    if (!w)
        return;
    runlog_free(&w->log);
    if (w->have_ckpt)
        history_free(&w->ck.hist);
    history_free(&w->scratch);
    free(w);
}

/* The dashboard's first message: what is watched, and how it can be steered. */
static void watch_describe(const RunnerWatch *w, const Trainer *t, char *out, size_t cap)
{
    const RunLogStart *s = &w->log.start;
    char who[400] = "", ck[TRAIN_PATH_MAX + 64] = "", steer[TRAIN_PATH_MAX + 96];
    if (w->log.have_start && s->pid)
        snprintf(who, sizeof who, ", pid %ld on %s", s->pid, s->host[0] ? s->host : "?");
    if (w->log.have_start && s->ranks > 1)
        snprintf(who + strlen(who), sizeof who - strlen(who), ", %d ranks", s->ranks);
    if (w->have_ckpt)
        snprintf(ck, sizeof ck, "; checkpoint %s (step %ld)", w->ckpt_path, w->ck.step);
    else if (w->ckpt_path[0])
        snprintf(ck, sizeof ck, "; checkpoint %s when it is first saved", w->ckpt_path);
    if (w->reach == WATCH_SOCKET && (access(w->sock, F_OK) != 0 || watch_pid_gone(w)))
        steer[0] = '\0'; /* it has ended: the runner says so */
    else if (w->reach == WATCH_SOCKET && w->o.control)
        snprintf(steer, sizeof steer, "; :pause :run :step :lr :clip :save :stop go to its control socket");
    else if (w->reach == WATCH_ELSEWHERE)
        snprintf(steer, sizeof steer, "; it is steered on %s only", s->host);
    else
        snprintf(steer, sizeof steer, "; it has no control socket: shown, not steered");
    snprintf(out, cap, "watching %.300s: %s %dx%d%.200s%.300s%.200s", w->o.log, cell_name(t->model.cfg.cell), t->model.cfg.layers,
             t->model.cfg.hidden, who, ck, steer);
}

int runner_watch_open(const WatchOptions *o, RunnerWatch **wout, Trainer **tout, Err *err)
{
    *wout = NULL;
    *tout = NULL;
    RunnerWatch *w = xcalloc(1, sizeof *w);
    w->o = *o;
    runlog_init(&w->log, o->log);
    w->log.note = watch_note;
    w->log.note_ctx = w;
    history_init(&w->scratch);
    if (gethostname(w->host_here, sizeof w->host_here - 1) != 0)
        w->host_here[0] = '\0';
    w->catching_up = 1;
    RunLogPoll p;
    int rc;
    do {
        if ((rc = runlog_poll(&w->log, &p, err)) != 0) {
            runner_watch_free(w);
            return rc;
        }
    } while (p.more);
    w->catching_up = 0;
    if (o->checkpoint[0]) {
        snprintf(w->ckpt_path, sizeof w->ckpt_path, "%s", o->checkpoint);
        w->ckpt_given = 1;
    }
    watch_take_start(w);
    Trainer *t = xcalloc(1, sizeof *t);
    history_init(&t->history);
    /* the model: the checkpoint's, else the start record's shape until the first save */
    if (w->ckpt_path[0] && access(w->ckpt_path, F_OK) == 0) {
        w->ckpt_seen = stat(w->ckpt_path, &w->ckpt_st) == 0;
        WatchCkpt *nc = xmalloc(sizeof *nc);
        if ((rc = watch_read_ckpt(w->ckpt_path, nc, err)) != 0) {
            free(nc);
            if (w->ckpt_given) {
                trainer_free(t);
                free(t);
                runner_watch_free(w);
                return rc;
            }
            snprintf(w->ckpt_err, sizeof w->ckpt_err, "%s", err->msg);
            watch_say(w, RUNNER_MSG_WARN, "%s (read again at its next save)", err->msg);
            err_clear(err);
        } else {
            watch_corpus(w, &nc->cfg, &nc->tok, &t->corpus, w->no_corpus); /* before the runner: no lock */
            FindingsContext fc;
            watch_ctx(w, &nc->cfg, &nc->model, &t->corpus, &fc);
            nc->find.ctx = fc;
            t->model = nc->model;
            t->cfg = nc->cfg;
            snprintf(t->run_id, sizeof t->run_id, "%s", nc->run_id);
            tokenizer_free(&nc->tok);
            memset(&nc->model, 0, sizeof nc->model);
            w->ck = *nc;
            w->have_ckpt = 1;
            free(nc);
        }
    }
    if (!w->have_ckpt) {
        const RunLogStart *s = &w->log.start;
        if (!w->log.have_start || !s->have_model) {
            long lines = w->log.line_no;
            trainer_free(t);
            free(t);
            runner_watch_free(w);
            if (lines == 0 && !o->checkpoint[0])
                return err_set(err, ERR_INPUT, "%s is empty: the run has not written its first line yet; try again "
                               "in a moment", o->log);
            return err_set(err, ERR_INPUT, "%s: no checkpoint to read yet (%s) and no start record saying what the "
                           "run is; try again after its first save", o->log, o->checkpoint[0] ? o->checkpoint : "none named");
        }
        train_config_default(&t->cfg);
        snprintf(t->cfg.corpus, sizeof t->cfg.corpus, "%s", s->corpus);
        t->cfg.cell = s->model.cell;
        t->cfg.layers = s->model.layers;
        t->cfg.hidden = s->model.hidden;
        t->cfg.embed = s->model.embed;
        t->cfg.steps = 0; /* not known before the first save */
        if (s->have_tokenizer)
            t->cfg.tokenizer = s->tokenizer;
        if ((rc = model_new(&t->model, &s->model, err)) != 0) {
            trainer_free(t);
            free(t);
            runner_watch_free(w);
            return rc;
        }
        t->corpus.tok.type = t->cfg.tokenizer;
        t->corpus.tok.unk_id = -1;
        w->no_weights = 1;
        snprintf(w->no_corpus, sizeof w->no_corpus, "no checkpoint read yet");
    }
    snprintf(t->log_path, sizeof t->log_path, "%s", o->log);
    snprintf(t->save_path, sizeof t->save_path, "%s", w->ckpt_path);
    t->last_val_loss = NAN;
    t->best_val_loss = NAN;
    watch_publish(NULL, w, t);
    watch_describe(w, t, t->note, sizeof t->note);
    if (w->no_corpus[0] && w->have_ckpt)
        snprintf(t->note + strlen(t->note), sizeof t->note - strlen(t->note),
                 "; the units screen's held-out text and n-gram need the run's corpus (%.300s)", w->no_corpus);
    *wout = w;
    *tout = t;
    return 0;
}

int runner_start_watch(Runner *r, Trainer *t, RunnerWatch *w, Err *err)
{
    r->watch = w;
    w->r = r;
    w->republish = !w->no_weights;
    int rc = runner_launch(r, t, 0, !w->no_weights, watch_main, err);
    if (rc) {
        r->watch = NULL;
        w->r = NULL;
        return rc;
    }
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < w->n_pending; i++)
        runner_msg(r, w->pending[i][0] - '0', "%s", w->pending[i] + 1);
    w->n_pending = 0;
    snprintf(w->state, sizeof w->state, "watching");
    pthread_mutex_unlock(&r->mu);
    runner_poke(r);
    return 0;
}
