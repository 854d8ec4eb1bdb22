/* trainer.c — a training run step by step (see trainer.h). */
#include "trainer.h"

#include <cblas.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "ngram.h"
#include "run_guard.h"
#include "safetensors.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The workspace's pool (--threads) is the parallelism of a step: every
 * OpenBLAS call inside it is one thread's share, so OpenBLAS runs each call on
 * the calling thread. Splitting each small per-step product across OpenBLAS's
 * own threads instead costs a synchronisation per call, ~200 per step. */
static void set_threads(void)
{
    openblas_set_num_threads(1);
}

/* Larger corpora skip the 3-gram baseline (well under a second for a few megabytes). */
#define BASELINE_MAX_TOKENS 20000000

void trainer_baselines(const Corpus *c, double *unigram, double *ngram3)
{
    int V = c->tok.vocab_size;
    *unigram = 0;
    *ngram3 = NAN;
    if (c->n_train > 0 && V > 0) {
        long *count = xcalloc((size_t)V, sizeof(long));
        for (size_t i = 0; i < c->n_train; i++)
            count[token_ids_get(&c->ids, i)]++;
        for (int v = 0; v < V; v++)
            if (count[v] > 0) {
                double p = (double)count[v] / (double)c->n_train;
                *unigram -= p * log(p);
            }
        free(count);
    }
    if (c->n > c->n_train + 1 && c->n_train >= 2 && c->n <= BASELINE_MAX_TOKENS) {
        double loss;
        Err e;
        if (ngram_holdout_loss(&c->ids, c->n_train, 3, V, &loss, &e) == 0)
            *ngram3 = loss;
    }
}

static void start_findings(Trainer *t)
{
    const Model *m = &t->model;
    const TrainConfig *c = &t->cfg;
    FindingsContext fc;
    memset(&fc, 0, sizeof fc);
    fc.cell = m->cfg.cell;
    fc.layers = m->cfg.layers;
    fc.hidden = m->cfg.hidden;
    fc.vocab = m->cfg.vocab;
    fc.seq = c->seq;
    fc.n_params = m->n_params;
    fc.n_train = t->corpus.n_train;
    fc.n_val = t->corpus.n - t->corpus.n_train;
    fc.optim = c->optim;
    fc.lr = c->lr;
    fc.clip = c->clip;
    fc.dropout = c->dropout;
    fc.forget_bias_one = c->forget_bias_one;
    fc.unigram = t->unigram;
    fc.ngram = t->ngram3;
    fc.n_tensors = m->n_tensors < STEP_MAX_TENSORS ? m->n_tensors : STEP_MAX_TENSORS;
    for (int i = 0; i < fc.n_tensors; i++)
        fc.is_matrix[i] = i != TENSOR_EMBEDDING && m->tensors[i].ndim == 2;
    findings_init(&t->findings, &fc);
}

void trainer_set_lr(Trainer *t, float lr)
{
    t->cfg.lr = lr;
    t->sched.base_lr = lr;
    findings_set_hyper(&t->findings, lr, t->cfg.clip);
}

void trainer_set_clip(Trainer *t, float clip)
{
    t->cfg.clip = clip;
    findings_set_hyper(&t->findings, t->cfg.lr, clip);
}

/* The per-step numbers summed across ranks: the flow (L, T), the gate
 * statistics (L, 5) and the decay probe (L, T). */
static size_t reduce_len(int L, int T)
{
    return (size_t)L * T * 2 + (size_t)L * 5;
}

/* Everything after the model and corpus exist: optimizer, buffers, batchers. */
static int setup_run(Trainer *t, Err *err)
{
    const TrainConfig *c = &t->cfg;
    int rc = batcher_init(&t->batcher, t->corpus.n_train, 0, c->batch, c->seq, t->corpus.path, err);
    if (rc)
        return rc;
    /* Validation reads its split in fewer streams when it is short (a small
     * corpus, a small --val-frac): each stream needs T+1 tokens. */
    size_t n_val = t->corpus.n - t->corpus.n_train;
    size_t fit = n_val / ((size_t)c->seq + 1);
    t->val_batch = fit < (size_t)c->batch ? (int)fit : c->batch;
    if (c->eval_every > 0 && n_val > 0 && t->val_batch < 1)
        return err_set(err, ERR_INPUT,
                       "%s: the validation split (%zu tokens) is shorter than one chunk of --seq %d; "
                       "raise --val-frac or lower --seq",
                       t->corpus.path, n_val, c->seq);
    t->sharded = t->comm && t->comm->size > 1;
    t->b0 = 0, t->b1 = c->batch, t->vb0 = 0, t->vb1 = t->val_batch;
    if (t->sharded) {
        if (c->batch < t->comm->size)
            return err_set(err, ERR_INPUT, "--batch %d is smaller than the %d ranks: each rank trains at least one "
                           "stream; raise --batch to %d or more", c->batch, t->comm->size, t->comm->size);
        comm_share(c->batch, t->comm->rank, t->comm->size, &t->b0, &t->b1);
        comm_share(t->val_batch, t->comm->rank, t->comm->size, &t->vb0, &t->vb1);
    }
    const int b_here = t->b1 - t->b0, vb_here = t->vb1 - t->vb0;
    OptimConfig oc;
    train_config_optim(c, &oc);
    optim_init(&t->optim, &oc, t->model.n_params);
    train_config_schedule(c, &t->sched);
    t->ws = workspace_new_threads(&t->model.cfg, c->seq, b_here > vb_here ? b_here : vb_here, c->threads);
    state_init(&t->state, &t->model.cfg, b_here);
    state_init(&t->eval_state, &t->model.cfg, vb_here > 0 ? vb_here : 1);
    t->x = xmalloc(sizeof(int) * (size_t)c->batch * (size_t)c->seq);
    t->y = xmalloc(sizeof(int) * (size_t)c->batch * (size_t)c->seq);
    if (t->sharded) {
        const ModelConfig *mc = &t->model.cfg;
        const size_t full = (size_t)mc->layers * c->batch * mc->hidden;
        workspace_set_shard(t->ws, c->batch, t->b0);
        t->xs = xmalloc(sizeof(int) * (size_t)c->batch * (size_t)c->seq);
        t->ys = xmalloc(sizeof(int) * (size_t)c->batch * (size_t)c->seq);
        t->full_h = xcalloc(full, sizeof(float));
        t->full_c = mc->cell == CELL_LSTM ? xcalloc(full, sizeof(float)) : NULL;
        t->reduce_buf = xcalloc(reduce_len(mc->layers, c->seq), sizeof(double));
    }
    t->param_before = xmalloc(sizeof(float) * t->model.n_params);
    param_pass_init(&t->pass, &t->model);
    t->last_val_loss = NAN;
    t->best_val_loss = NAN;
    state_init(&t->state_before, &t->model.cfg, b_here);
    t->decay = xcalloc((size_t)t->model.cfg.layers * c->seq, sizeof(float));
    t->range_buf = xmalloc(sizeof(float) * 2 * (size_t)t->model.cfg.layers * t->model.cfg.hidden);
    if (t->sharded)
        t->flow_buf = xmalloc(sizeof(float) * (size_t)t->model.cfg.layers * c->seq);
    t->probe_every = 50;
    history_init(&t->history);
    trainer_baselines(&t->corpus, &t->unigram, &t->ngram3);
    start_findings(t);
    set_threads();
    return 0;
}

/* Refuse a run that cannot fit in this machine's memory before allocating it
 * (an allocation failure inside would end the process). The estimate is an
 * upper bound: parameters, gradients, the update-ratio copy and two optimizer
 * moments, plus a chunk's activations (every layer's gates, states and their
 * gradients, the logits and their gradients). */
static int check_memory(const ModelConfig *mc, const TrainConfig *c, Err *err)
{
    double G = cell_gates(mc->cell), H = mc->hidden, E = mc->embed, V = mc->vocab, L = mc->layers;
    double params = V * E + V * H + V;
    for (int k = 0; k < mc->layers; k++)
        params += G * H * ((k ? H : E) + H) + 2 * G * H;
    double rows = (double)c->batch * c->seq;
    double bytes = 4 * (5 * params + rows * (2 * E + L * (3 * G * H + 6 * H) + 2 * V));
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    double phys = pages > 0 && page > 0 ? (double)pages * page : 0;
    if (phys > 0 && bytes > phys)
        return err_set(err, ERR_INPUT,
                       "this run needs about %.1f GB (%s %dx%d, --embed %d, --batch %d x --seq %d, vocabulary %d), "
                       "more than the %.1f GB of memory here; lower --hidden, --layers, --batch or --seq",
                       bytes / 1e9, cell_name(mc->cell), mc->layers, mc->hidden, mc->embed, c->batch, c->seq,
                       mc->vocab, phys / 1e9);
    return 0;
}

/* Every rank starts from rank 0's parameters, rng and run id (the same seed
 * gives the same ones; this makes sure). */
static int share_start(Trainer *t, Err *err)
{
    if (!t->sharded)
        return 0;
    int rc;
    if ((rc = comm_bcast(t->comm, t->model.params, sizeof(float) * t->model.n_params, 0, err)) != 0 ||
        (rc = comm_bcast(t->comm, &t->rng, sizeof t->rng, 0, err)) != 0 ||
        (rc = comm_bcast(t->comm, t->run_id, sizeof t->run_id, 0, err)) != 0)
        return rc;
    return 0;
}

int trainer_init(Trainer *t, const TrainConfig *cfg, Err *err)
{
    return trainer_init_ranks(t, cfg, NULL, err);
}

/* trainer_init's work on this process; cleans up after itself on failure. */
static int init_here(Trainer *t, const TrainConfig *cfg, Err *err)
{
    int rc = train_config_check(cfg, err);
    if (rc)
        return rc;
    rc = corpus_load(&t->corpus, cfg->corpus, cfg->tokenizer, cfg->max_vocab, cfg->val_frac, NULL, err);
    if (rc)
        return rc;
    ModelConfig mc;
    train_config_model(cfg, t->corpus.tok.vocab_size, &mc);
    if ((rc = check_memory(&mc, cfg, err)) != 0 || (rc = model_new(&t->model, &mc, err)) != 0) {
        corpus_free(&t->corpus);
        return rc;
    }
    rng_seed(&t->rng, cfg->seed);
    model_init(&t->model, &t->rng, cfg->forget_bias_one);
    run_id_new(t->run_id);
    if ((rc = setup_run(t, err)) != 0)
        trainer_free(t);
    return rc;
}

/* After each rank set itself up (ok: rc == 0): all go on, or all stop with
 * the first failing rank's message, so none waits for a rank that left. */
static int start_together(Trainer *t, Comm *comm, int rc, Err *err)
{
    if (!comm || comm->size == 1)
        return rc;
    int all = comm_agree(comm, rc, err);
    if (!all && (all = share_start(t, err)) == 0)
        return 0;
    if (!rc)
        trainer_free(t);
    return all;
}

int trainer_init_ranks(Trainer *t, const TrainConfig *cfg, Comm *comm, Err *err)
{
    memset(t, 0, sizeof *t);
    t->comm = comm;
    t->cfg = *cfg;
    return start_together(t, comm, init_here(t, cfg, err), err);
}

void trainer_free(Trainer *t)
{
    workspace_free(t->ws);
    state_free(&t->state);
    state_free(&t->eval_state);
    optim_free(&t->optim);
    model_free(&t->model);
    corpus_free(&t->corpus);
    free(t->x);
    free(t->y);
    free(t->param_before);
    param_pass_free(&t->pass);
    state_free(&t->state_before);
    free(t->xs);
    free(t->ys);
    free(t->full_h);
    free(t->full_c);
    free(t->reduce_buf);
    free(t->range_buf);
    free(t->flow_buf);
    free(t->decay);
    history_free(&t->history);
    memset(t, 0, sizeof *t);
}

/* ---- non-finite detection ---------------------------------------------- */

static long first_nonfinite(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(p[i]))
            return (long)i;
    return -1;
}

/* Where the backward first produced a non-finite dLoss/dh: it runs the top
 * layer from t = T-1 down to 0, then the layer below. */
static int nonfinite_dh(const Trainer *t, char *where, size_t cap)
{
    int T, B;
    workspace_chunk(t->ws, &T, &B);
    const float *dh = workspace_dh_norms(t->ws);
    for (int l = t->model.cfg.layers - 1; l >= 0; l--)
        for (int k = T - 1; k >= 0; k--)
            if (!isfinite(dh[(size_t)l * T + k])) {
                snprintf(where, cap, "; the backward pass first overflowed at the gradient of layer %d's hidden "
                         "state at t=%d", l, k);
                return 1;
            }
    where[0] = 0;
    return 0;
}

/* What went non-finite: a step's loss, gradient or update, or a validation pass. */
typedef enum { NF_LOSS, NF_GRADIENT, NF_UPDATE, NF_VALIDATION } Nonfinite;

static int describe_nonfinite(Trainer *t, Nonfinite kind, Err *err);
static int eval_pass(Trainer *t, float *val_loss, volatile sig_atomic_t *cancel, Err *err);

/* Every non-finite step is also a finding of the run. */
static void record_begin(Trainer *t)
{
    if (t->record_lock)
        t->record_lock(t->record_ctx, 1);
}

static void record_end(Trainer *t)
{
    if (t->record_lock)
        t->record_lock(t->record_ctx, 0);
}

void trainer_set_record_lock(Trainer *t, void (*lock)(void *ctx, int lock), void *ctx)
{
    t->record_lock = lock;
    t->record_ctx = ctx;
}

static int report_nonfinite(Trainer *t, Nonfinite kind, Err *err)
{
    int rc = describe_nonfinite(t, kind, err);
    record_begin(t);
    findings_observe_failure(&t->findings, t->step + 1, err->msg);
    record_end(t);
    return rc;
}

static int describe_nonfinite(Trainer *t, Nonfinite kind, Err *err)
{
    static const char *const names[] = {"the loss", "the gradient", "the update", "the validation loss"};
    const char *what = names[kind];
    const Model *m = &t->model;
    char dh_where[160] = "";
    if (kind == NF_GRADIENT)
        nonfinite_dh(t, dh_where, sizeof dh_where);
    /* a failed step's chunk: its carried state goes back to what it was, so
     * training can go on (a validation pass follows a finished step) */
    if (kind != NF_VALIDATION)
        state_copy(&t->state, &t->state_before);
    /* the root cause first: a parameter, then an activation (as the chunk's own
     * forward stored them: no second forward), then a gradient */
    char where[160];
    for (int pass = 0; pass < 2; pass++) {
        const float *base = pass == 0 ? m->params : m->grads;
        if (pass == 1) {
            if (diag_nonfinite_activation(t->ws, &m->cfg, where, sizeof where))
                return err_set(err, ERR_RUNTIME,
                               "step %ld: %s is not finite; every parameter is finite, the first non-finite "
                               "activation is the %s; training stopped, parameters kept from step %ld",
                               t->step + 1, what, where, t->step);
        }
        for (int i = 0; i < m->n_tensors; i++) {
            long at = first_nonfinite(base + m->tensors[i].offset, m->tensors[i].size);
            if (at >= 0)
                return err_set(err, ERR_RUNTIME,
                               "step %ld: %s is not finite; first non-finite tensor: %s%s "
                               "(element %ld, value %g)%s; training stopped, parameters kept from step %ld",
                               t->step + 1, what, pass ? "gradient of " : "", m->tensors[i].name, at,
                               (double)base[m->tensors[i].offset + (size_t)at], dh_where, t->step);
        }
    }
    return err_set(err, ERR_RUNTIME,
                   "step %ld: %s is not finite (the activations overflowed; every parameter is finite); "
                   "training stopped, parameters kept from step %ld", t->step + 1, what, t->step);
}

/* ---- the inspector's per-step diagnostics ------------------------------------ */

/* Inside a step, after the backward and before the update: the chunk's own
 * activations and the parameters it ran with. m->grads stays untouched. */
static void run_probe(Trainer *t)
{
    model_backward_probe(&t->model, NULL, t->ws, t->decay);
    t->decay_step = t->step + 1;
}

/* The range [lo, hi] of each of the H units of h (N rows of H). */
static void unit_ranges(const float *h, int N, int H, float *lo, float *hi)
{
    for (int j = 0; j < H; j++) {
        float a = h[j], b = h[j];
        for (int r = 1; r < N; r++) {
            float v = h[(size_t)r * H + j];
            a = v < a ? v : a;
            b = v > b ? v : b;
        }
        lo[j] = a;
        hi[j] = b;
    }
}

/* The fraction of H units whose value moves less than DIAG_DEAD_RANGE over
 * the chunk: they carry nothing. */
static float dead_fraction(const float *lo, const float *hi, int H)
{
    int dead = 0;
    for (int j = 0; j < H; j++)
        dead += hi[j] - lo[j] < DIAG_DEAD_RANGE;
    return H > 0 ? (float)dead / (float)H : 0.0f;
}

/* A data-parallel step's diagnostics over the whole batch: each rank's means
 * over its own streams, weighted by its share of the batch, summed across
 * ranks (in rank order); unit ranges by min and max. flow (L, T) receives
 * the batch's gradient flow. Collective. */
static int reduce_diagnostics(Trainer *t, int gates_due, int probe_due, float *flow, Err *err)
{
    const int L = t->model.cfg.layers, T = t->cfg.seq, H = t->model.cfg.hidden;
    const double share = (double)(t->b1 - t->b0) / (double)t->cfg.batch;
    double *buf = t->reduce_buf;
    const size_t nf = (size_t)L * T;
    size_t n = nf;
    const float *dh = workspace_dh_norms(t->ws);
    for (size_t i = 0; i < nf; i++)
        buf[i] = share * dh[i];
    if (gates_due)
        for (int l = 0; l < L; l++, n += 5) {
            for (int g = 0; g < 4; g++)
                buf[n + g] = share * t->gate_sat[l][g];
            buf[n + 4] = share * t->gate_mean[l];
        }
    if (probe_due)
        for (size_t i = 0; i < nf; i++)
            buf[n + i] = share * t->decay[i];
    int rc = comm_sum_f64(t->comm, buf, n + (probe_due ? nf : 0), err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nf; i++)
        flow[i] = (float)buf[i];
    n = nf;
    if (gates_due)
        for (int l = 0; l < L; l++, n += 5) {
            for (int g = 0; g < 4; g++)
                t->gate_sat[l][g] = (float)buf[n + g];
            t->gate_mean[l] = (float)buf[n + 4];
        }
    if (probe_due)
        for (size_t i = 0; i < nf; i++)
            t->decay[i] = (float)buf[n + i];
    if (gates_due) {
        float *lo = t->range_buf, *hi = t->range_buf + (size_t)L * H;
        if ((rc = comm_extreme_f32(t->comm, lo, (size_t)L * H, 0, err)) != 0 ||
            (rc = comm_extreme_f32(t->comm, hi, (size_t)L * H, 1, err)) != 0)
            return rc;
        for (int l = 0; l < L; l++)
            t->dead_frac[l] = dead_fraction(lo + (size_t)l * H, hi + (size_t)l * H, H);
    }
    return 0;
}

/* Gradient flow, gate saturation and (every probe_every steps) the decay
 * probe; runs after the backward and before the update, so the probe sees the
 * parameters this chunk's forward used. */
static int step_diagnostics(Trainer *t, StepInfo *info, Err *err)
{
    const Model *m = &t->model;
    int T, B, L = m->cfg.layers, H = m->cfg.hidden;
    workspace_chunk(t->ws, &T, &B);
    const int gates_due = t->step % DIAG_GATE_EVERY == 0;
    const int probe_due = t->probe_every > 0 && t->step % t->probe_every == 0;
    for (int l = 0; l < L && gates_due; l++) {
        GateStats gs;
        workspace_gate_stats(t->ws, l, &gs);
        for (int g = 0; g < gs.n_blocks; g++)
            t->gate_sat[l][g] = gs.saturated[g];
        t->gate_mean[l] = gs.gate_mean;
        float *lo = t->range_buf + (size_t)l * H, *hi = t->range_buf + ((size_t)L + l) * H;
        unit_ranges(workspace_layer_h(t->ws, l) + (size_t)B * H, T * B, H, lo, hi);
        t->dead_frac[l] = dead_fraction(lo, hi, H);
        t->gate_step = t->step + 1;
    }
    if (probe_due)
        run_probe(t);
    const float *flow = workspace_dh_norms(t->ws);
    if (t->sharded) {
        int rc = reduce_diagnostics(t, gates_due, probe_due, t->flow_buf, err);
        if (rc)
            return rc;
        flow = t->flow_buf;
    }
    info->flow_len = diag_flow_compact(flow, L, T, info->flow, &info->flow_stride);
    memcpy(info->gate_sat, t->gate_sat, sizeof info->gate_sat);
    memcpy(info->gate_mean, t->gate_mean, sizeof info->gate_mean);
    memcpy(info->dead_frac, t->dead_frac, sizeof info->dead_frac);
    info->gate_step = t->gate_step;
    if (t->decay_step > 0) {
        int stride;
        info->decay_step = t->decay_step;
        diag_flow_compact(t->decay, L, t->cfg.seq, info->decay, &stride);
    }
    return 0;
}

int trainer_probe(Trainer *t, Err *err)
{
    int T, B;
    workspace_chunk(t->ws, &T, &B);
    if (T == 0)
        return err_set(err, ERR_INPUT, "the decay probe needs a chunk: run a training step first");
    model_backward_probe(&t->model, t->ws_updated ? t->param_before : NULL, t->ws, t->decay);
    t->decay_step = t->step;
    return 0;
}

int trainer_histogram(Trainer *t, const char *what, int n_bins, Histogram *h, Err *err)
{
    const Model *m = &t->model;
    if (strncmp(what, "act:", 4) == 0) {
        char kind[16];
        int layer = -1;
        const char *dot = strchr(what + 4, '.');
        if (!dot || (size_t)(dot - (what + 4)) >= sizeof kind || sscanf(dot + 1, "%d", &layer) != 1)
            return err_set(err, ERR_INPUT, "histogram '%s': activations are named act:h.K, act:c.K or act:gates.K",
                           what);
        snprintf(kind, sizeof kind, "%.*s", (int)(dot - (what + 4)), what + 4);
        int T, B;
        workspace_chunk(t->ws, &T, &B);
        if (T == 0)
            return err_set(err, ERR_INPUT, "histogram '%s': no chunk yet; run a training step first", what);
        size_t n;
        const float *a = diag_activations(t->ws, &m->cfg, kind, layer, &n);
        if (!a)
            return err_set(err, ERR_INPUT, "histogram '%s': no such activation for a %d-layer %s", what,
                           m->cfg.layers, cell_name(m->cfg.cell));
        diag_histogram(a, n, n_bins, h);
        return 0;
    }
    int grad = strncmp(what, "grad:", 5) == 0;
    int i = model_find_tensor(m, grad ? what + 5 : what);
    if (i < 0)
        return err_set(err, ERR_INPUT, "histogram '%s': no tensor of that name (e.g. head.weight, "
                                       "grad:rnn.weight_hh_l0, act:h.0)", what);
    diag_histogram(grad ? model_tensor_grad(m, i) : model_tensor(m, i), m->tensors[i].size, n_bins, h);
    return 0;
}

/* ---- a step ---------------------------------------------------------------- */

/* Columns [a, b) of a (T, B) time-major id array into out (T, b - a). */
static void take_columns(const int *in, int T, int B, int a, int b, int *out)
{
    for (int t = 0; t < T; t++)
        memcpy(out + (size_t)t * (b - a), in + (size_t)t * B + a, sizeof(int) * (size_t)(b - a));
}

/* A 64-bit FNV-1a hash of the parameters' bytes. */
static uint64_t params_checksum(const Model *m)
{
    const unsigned char *p = (const unsigned char *)m->params;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < m->n_params * sizeof(float); i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Every TRAIN_REPLICA_CHECK_EVERY steps of a data-parallel run, and before
 * each save (now = 1): the ranks' parameters are compared (collective);
 * ERR_RUNTIME naming the first rank whose copy differs from rank 0's. */
static int check_replicas(Trainer *t, int now, Err *err)
{
    if (!t->sharded || (!now && t->step % TRAIN_REPLICA_CHECK_EVERY != 0))
        return 0;
    uint64_t mine = params_checksum(&t->model);
    uint64_t stack[64];
    uint64_t *all = t->comm->size <= 64 ? stack : xmalloc(sizeof(uint64_t) * t->comm->size);
    int rc = comm_allgather(t->comm, &mine, all, sizeof mine, err);
    for (int r = 1; r < t->comm->size && !rc; r++)
        if (all[r] != all[0])
            rc = err_set(err, ERR_RUNTIME, "after step %ld rank %d's parameters differ from rank 0's (checksum "
                         "%016" PRIx64 " vs %016" PRIx64 "): the ranks no longer train one model (different binaries "
                         "or CPUs rounding differently?); the last checkpoint is intact", t->step, r, all[r], all[0]);
    if (all != stack)
        free(all);
    return rc;
}

int trainer_step(Trainer *t, StepInfo *info, Err *err)
{
    const TrainConfig *c = &t->cfg;
    Model *m = &t->model;
    memset(info, 0, sizeof *info);
    info->val_loss = NAN;
    double t0 = now_ms();
    float lr = schedule_lr(&t->sched, t->step);

    if (batcher_next(&t->batcher, &t->corpus.ids, t->x, t->y))
        state_zero(&t->state);
    state_copy(&t->state_before, &t->state);
    info->clip = c->clip;
    t->ws_updated = 0;
    const int *x = t->x, *y = t->y;
    int B_here = c->batch, rc;
    if (t->sharded) {
        take_columns(t->x, c->seq, c->batch, t->b0, t->b1, t->xs);
        take_columns(t->y, c->seq, c->batch, t->b0, t->b1, t->ys);
        x = t->xs, y = t->ys, B_here = t->b1 - t->b0;
    }
    float loss = model_forward(m, t->ws, x, y, c->seq, B_here, &t->state, 1, &t->rng);
    if (t->sharded) {
        /* the mean over the whole batch's targets, so every rank sees the same loss */
        double sum = isfinite(loss) ? workspace_loss_sum(t->ws) : NAN;
        if ((rc = comm_sum_f64(t->comm, &sum, 1, err)) != 0)
            return rc;
        loss = (float)(sum / ((double)c->seq * c->batch));
    }
    if (!isfinite(loss))
        return report_nonfinite(t, NF_LOSS, err);
    model_backward(m, t->ws);
    if (t->sharded) {
        /* the one allreduce of a step: every rank then holds the batch's gradient */
        double before = t->comm->sum_ms;
        if ((rc = comm_sum_f32(t->comm, m->grads, m->n_params, err)) != 0)
            return rc;
        t->step_comm_ms = t->comm->sum_ms - before;
    }

    /* gradient norms per tensor and per gate block, from per-segment sums
     * added in a fixed order (param_pass.h) */
    Pool *pool = workspace_pool(t->ws);
    ParamPass *pp = &t->pass;
    param_pass_grad_sums(pp, pool, m);
    double tensor_ss[STEP_MAX_TENSORS] = {0}, gate_ss[TRAIN_MAX_LAYERS][4] = {{0}};
    for (int s = 0; s < pp->n_seg; s++) {
        tensor_ss[pp->tensor[s]] += pp->grad_ss[s];
        if (pp->gate[s] >= 0)
            gate_ss[(pp->tensor[s] - TENSOR_W_IH(0)) / 4][pp->gate[s]] += pp->grad_ss[s];
    }
    double total = 0;
    info->n_tensors = m->n_tensors;
    for (int i = 0; i < m->n_tensors; i++) {
        info->grad_norms[i] = (float)sqrt(tensor_ss[i]);
        total += tensor_ss[i];
    }
    if (!isfinite(total))
        return report_nonfinite(t, NF_GRADIENT, err);
    info->n_layers = m->cfg.layers;
    info->n_gates = cell_gates(m->cfg.cell);
    for (int k = 0; k < info->n_layers; k++)
        for (int g = 0; g < info->n_gates; g++)
            info->gate_grad_norms[k][g] = (float)sqrt(gate_ss[k][g]);
    if (!t->diag_off && (rc = step_diagnostics(t, info, err)) != 0)
        return rc;
    info->grad_norm = (float)sqrt(total);
    if (c->clip_value > 0) {
        /* element-wise first, then the global norm of what is left (serial: rare) */
        info->n_clamped = (long)clip_elementwise(m->grads, m->n_params, c->clip_value);
        if (c->clip > 0)
            clip_global_norm(m->grads, m->n_params, c->clip, &info->clipped);
    } else if (c->clip > 0) {
        float coef = clip_coef(info->grad_norm, c->clip);
        if (coef < 1.0f) {
            param_pass_scale_grads(pp, pool, m, coef);
            info->clipped = 1;
        }
    }

    param_pass_update(pp, pool, m, &t->optim, lr, t->param_before, !t->diag_off);
    optim_step_end(&t->optim);
    t->ws_updated = 1;
    int overflowed = 0;
    double diff_ss[STEP_MAX_TENSORS] = {0}, weight_ss[STEP_MAX_TENSORS] = {0};
    for (int s = 0; s < pp->n_seg; s++) {
        overflowed |= pp->nonfinite[s];
        diff_ss[pp->tensor[s]] += pp->diff_ss[s];
        weight_ss[pp->tensor[s]] += pp->weight_ss[s];
    }
    for (int i = 0; i < m->n_tensors && !t->diag_off; i++)
        info->update_ratio[i] = weight_ss[i] > 0 ? (float)sqrt(diff_ss[i] / weight_ss[i]) : 0.0f;
    if (overflowed) {
        /* the update itself overflowed: undo it so the model stays usable */
        memcpy(m->params, t->param_before, sizeof(float) * m->n_params);
        t->ws_updated = 0;
        return report_nonfinite(t, NF_UPDATE, err);
    }

    record_begin(t);
    t->step++;
    record_end(t);
    if ((rc = check_replicas(t, 0, err)) != 0)
        return rc;
    info->step = t->step;
    info->epoch = batcher_epoch_progress(&t->batcher);
    info->loss = loss;
    info->lr = lr;
    info->ms = now_ms() - t0;
    info->allreduce_ms = t->sharded ? t->step_comm_ms : 0.0;
    info->tokens_per_s = info->ms > 0 ? (double)c->batch * c->seq / (info->ms / 1e3) : 0;
    if (c->eval_every > 0 && t->step % c->eval_every == 0 && t->corpus.n > t->corpus.n_train) {
        rc = eval_pass(t, &info->val_loss, NULL, err);
        if (rc) {
            /* the step itself happened (its update is in): it enters the record, unevaluated */
            info->val_loss = NAN;
            record_begin(t);
            history_push(&t->history, info);
            t->last = *info;
            t->have_last = 1;
            record_end(t);
            return rc;
        }
        info->evaluated = 1;
    }
    record_begin(t);
    history_push(&t->history, info);
    findings_observe_step(&t->findings, info);
    if (info->evaluated)
        t->last_val_loss = info->val_loss;
    if (info->evaluated && (isnan(t->best_val_loss) || info->val_loss < t->best_val_loss)) {
        t->best_val_loss = info->val_loss; /* keep_best.h saves a copy at this step */
        t->best_step = t->step;
    }
    t->last = *info;
    t->have_last = 1;
    record_end(t);
    return 0;
}

int trainer_eval(Trainer *t, float *val_loss, Err *err)
{
    int rc = eval_pass(t, val_loss, t->cancel, err);
    if (rc)
        return rc;
    record_begin(t);
    t->last_val_loss = *val_loss;
    history_push_val(&t->history, t->step, *val_loss);
    record_end(t);
    return 0;
}

static int eval_pass(Trainer *t, float *val_loss, volatile sig_atomic_t *cancel, Err *err)
{
    const TrainConfig *c = &t->cfg;
    size_t n_val = t->corpus.n - t->corpus.n_train;
    Batcher vb;
    if (n_val == 0)
        return err_set(err, ERR_INPUT, "no validation split; set --val-frac above 0");
    if (t->val_batch < 1)
        return err_set(err, ERR_INPUT, "%s: the validation split (%zu tokens) is shorter than one chunk of --seq %d; "
                       "raise --val-frac or lower --seq", t->corpus.path, n_val, c->seq);
    int rc = batcher_init(&vb, n_val, t->corpus.n_train, t->val_batch, c->seq, t->corpus.path, err);
    if (rc)
        return rc;
    state_zero(&t->eval_state);
    t->ws_updated = 0; /* the workspace will hold a validation chunk, run with the current parameters */
    long chunks = vb.chunks_per_epoch;
    if (c->eval_chunks > 0 && c->eval_chunks < chunks)
        chunks = c->eval_chunks;
    double sum = 0;
    const int vb_here = t->vb1 - t->vb0;
    for (long k = 0; k < chunks; k++) {
        if (cancel && *cancel && !t->sharded) /* ranks stop only together, between steps */
            return err_set(err, ERR_RUNTIME, "interrupted");
        batcher_next(&vb, &t->corpus.ids, t->x, t->y);
        if (!t->sharded) {
            sum += model_forward(&t->model, t->ws, t->x, t->y, c->seq, t->val_batch, &t->eval_state, 0, NULL);
        } else if (vb_here > 0) {
            /* this rank's streams; the ranks' summed losses are added below */
            take_columns(t->x, c->seq, t->val_batch, t->vb0, t->vb1, t->xs);
            take_columns(t->y, c->seq, t->val_batch, t->vb0, t->vb1, t->ys);
            float part = model_forward(&t->model, t->ws, t->xs, t->ys, c->seq, vb_here, &t->eval_state, 0, NULL);
            sum += isfinite(part) ? workspace_loss_sum(t->ws) : NAN;
        }
    }
    if (t->sharded) {
        if ((rc = comm_sum_f64(t->comm, &sum, 1, err)) != 0)
            return rc;
        sum /= (double)c->seq * t->val_batch;
    }
    float v = (float)(sum / (double)chunks);
    if (!isfinite(v))
        return report_nonfinite(t, NF_VALIDATION, err);
    *val_loss = v;
    return 0;
}

/* ---- saving and resuming ------------------------------------------------------ */

static void add_meta_long(StWriter *w, const char *key, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    st_add_meta(w, key, buf);
}

static void add_meta_u64(StWriter *w, const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    st_add_meta(w, key, buf);
}

int trainer_save(const Trainer *t, const char *path, Err *err)
{
    const Model *m = &t->model;
    StWriter *w = st_writer_new();
    checkpoint_write_model(w, m, &t->corpus.tok);
    for (int i = 0; i < train_config_n_fields(); i++) {
        const TcField *f = train_config_field(i);
        char key[64], val[TRAIN_PATH_MAX];
        snprintf(key, sizeof key, "train.%s", f->name);
        train_config_get(&t->cfg, f->name, val, sizeof val);
        st_add_meta(w, key, val);
    }
    int64_t n = (int64_t)m->n_params;
    if (t->optim.m)
        st_add_f32(w, "optim.m", t->optim.m, 1, &n);
    if (t->optim.v)
        st_add_f32(w, "optim.v", t->optim.v, 1, &n);
    /* a data-parallel run saves every rank's streams (trainer_gather_state) */
    int64_t sshape[3] = {t->state.layers, t->sharded ? t->cfg.batch : t->state.batch, t->state.hidden};
    st_add_f32(w, "run.h", t->sharded ? t->full_h : t->state.h, 3, sshape);
    if (t->state.c)
        st_add_f32(w, "run.c", t->sharded ? t->full_c : t->state.c, 3, sshape);
    add_meta_long(w, "run.step", t->step);
    add_meta_long(w, "run.optim_t", t->optim.t);
    add_meta_u64(w, "run.rng_state", t->rng.state);
    add_meta_u64(w, "run.rng_inc", t->rng.inc);
    add_meta_long(w, "run.batch_pos", (long long)t->batcher.pos);
    add_meta_long(w, "run.epoch", t->batcher.epoch);
    add_meta_u64(w, "run.corpus_tokens", t->corpus.n);
    char v[32];
    snprintf(v, sizeof v, "%.9g", (double)t->last_val_loss);
    st_add_meta(w, "run.val_loss", v);
    st_add_meta(w, "run.id", t->run_id);
    if (t->log_path[0])
        st_add_meta(w, "run.log", t->log_path);
    snprintf(v, sizeof v, "%.9g", (double)t->best_val_loss);
    st_add_meta(w, "run.best_val_loss", v);
    add_meta_long(w, "run.best_step", t->best_step);
    history_save(&t->history, w);
    /* the diagnostics that steps between measurements repeat, so a resumed
     * run reports what the uninterrupted one would */
    int L = t->model.cfg.layers;
    int64_t gshape[2] = {L, 4}, lshape[1] = {L}, dshape[2] = {L, t->cfg.seq};
    st_add_f32(w, "diag.gate_sat", &t->gate_sat[0][0], 2, gshape);
    st_add_f32(w, "diag.gate_mean", t->gate_mean, 1, lshape);
    st_add_f32(w, "diag.decay", t->decay, 2, dshape);
    add_meta_long(w, "diag.decay_step", t->decay_step);
    st_add_f32(w, "diag.dead_frac", t->dead_frac, 1, lshape);
    add_meta_long(w, "diag.gate_step", t->gate_step);
    findings_save(&t->findings, w);
    int rc = st_writer_save(w, path, err);
    st_writer_free(w);
    return rc;
}

static int meta_u64(const StFile *f, const char *key, uint64_t *out, Err *err)
{
    const char *v = st_meta(f, key);
    char *end;
    if (!v)
        return err_set(err, ERR_INPUT, "%s: missing run metadata '%s'; the run state is incomplete",
                       f->path, key);
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (end == v || *end || v[0] == '-' || errno)
        return err_set(err, ERR_INPUT, "%s: run metadata '%s' is '%s', not a whole number", f->path, key, v);
    *out = (uint64_t)x;
    return 0;
}

/* Settings of the saved run, then the user's explicit ones on top. */
static int merge_config(const StFile *f, const Model *m, TokType tok, const TrainConfig *cli,
                        const int *overridden, TrainConfig *out, int *data_changed, Err *err)
{
    /* a model-only file carries no settings: the caller's apply */
    if (st_meta(f, "train.corpus"))
        train_config_default(out);
    else
        *out = *cli;
    *data_changed = 0;
    for (int i = 0; i < train_config_n_fields(); i++) {
        const TcField *fd = train_config_field(i);
        char key[64];
        snprintf(key, sizeof key, "train.%s", fd->name);
        const char *v = st_meta(f, key);
        Err e;
        if (v && train_config_set(out, fd->name, v, &e) != 0)
            return err_set(err, ERR_INPUT, "%s: run metadata %s: %s", f->path, key, e.msg);
    }
    /* the model's own metadata is authoritative for the architecture */
    out->cell = m->cfg.cell;
    out->layers = m->cfg.layers;
    out->hidden = m->cfg.hidden;
    out->embed = m->cfg.embed;
    out->tokenizer = tok;
    for (int i = 0; overridden && i < train_config_n_fields(); i++) {
        if (!overridden[i])
            continue;
        const TcField *fd = train_config_field(i);
        char mine[TRAIN_PATH_MAX], theirs[TRAIN_PATH_MAX];
        train_config_get(cli, fd->name, mine, sizeof mine);
        train_config_get(out, fd->name, theirs, sizeof theirs);
        if (strcmp(mine, theirs) == 0)
            continue;
        if (fd->scope == TC_ARCH && strcmp(fd->name, "max-vocab") != 0)
            return err_set(err, ERR_INPUT,
                           "--resume %s: the checkpoint has --%s %s but --%s %s was given; "
                           "drop the flag or start a new run", f->path, fd->name, theirs, fd->name, mine);
        if (fd->scope == TC_DATA)
            *data_changed = 1;
        Err e;
        if (train_config_set(out, fd->name, mine, &e) != 0)
            return err_set(err, ERR_INPUT, "%s", e.msg);
    }
    return 0;
}

/* This rank's streams of the carried state out of full_h/full_c (L, B, H)
 * into state (L, b1-b0, H). */
static void state_take_columns(Trainer *t)
{
    const int L = t->state.layers, H = t->state.hidden, B = t->cfg.batch, bh = t->b1 - t->b0;
    for (int l = 0; l < L; l++) {
        size_t local = (size_t)l * bh * H, full = ((size_t)l * B + t->b0) * H, n = (size_t)bh * H;
        memcpy(t->state.h + local, t->full_h + full, n * sizeof(float));
        if (t->state.c)
            memcpy(t->state.c + local, t->full_c + full, n * sizeof(float));
    }
}

int trainer_gather_state(Trainer *t, Err *err)
{
    if (!t->sharded)
        return 0;
    int rc = check_replicas(t, 1, err); /* a checkpoint is of the one model every rank holds */
    if (rc)
        return rc;
    /* each rank's streams, padded to the largest share, gathered in rank order */
    const Comm *c = t->comm;
    const int L = t->state.layers, H = t->state.hidden, B = t->cfg.batch;
    int most = 0;
    for (int r = 0; r < c->size; r++) {
        int a, b;
        comm_share(B, r, c->size, &a, &b);
        most = b - a > most ? b - a : most;
    }
    const size_t per = (size_t)L * most * H * (t->state.c ? 2 : 1);
    float *mine = xcalloc(per, sizeof(float)), *all = xmalloc(per * c->size * sizeof(float));
    const int bh = t->b1 - t->b0;
    for (int l = 0; l < L; l++) {
        memcpy(mine + (size_t)l * most * H, t->state.h + (size_t)l * bh * H, (size_t)bh * H * sizeof(float));
        if (t->state.c)
            memcpy(mine + ((size_t)L + l) * most * H, t->state.c + (size_t)l * bh * H,
                   (size_t)bh * H * sizeof(float));
    }
    rc = comm_allgather(t->comm, mine, all, per * sizeof(float), err);
    for (int r = 0; r < c->size && !rc; r++) {
        int a, b;
        comm_share(B, r, c->size, &a, &b);
        const float *from = all + per * r;
        for (int l = 0; l < L; l++) {
            memcpy(t->full_h + ((size_t)l * B + a) * H, from + (size_t)l * most * H, (size_t)(b - a) * H * sizeof(float));
            if (t->state.c)
                memcpy(t->full_c + ((size_t)l * B + a) * H, from + ((size_t)L + l) * most * H,
                       (size_t)(b - a) * H * sizeof(float));
        }
    }
    free(mine);
    free(all);
    return rc;
}

static int restore_run_state(Trainer *t, const StFile *f, Err *err)
{
    uint64_t step = 0, optim_t = 0, rs = 0, ri = 0, pos = 0, epoch = 0, ntok = 0;
    int rc;
    if ((rc = meta_u64(f, "run.step", &step, err)) || (rc = meta_u64(f, "run.optim_t", &optim_t, err)) ||
        (rc = meta_u64(f, "run.rng_state", &rs, err)) || (rc = meta_u64(f, "run.rng_inc", &ri, err)) ||
        (rc = meta_u64(f, "run.batch_pos", &pos, err)) || (rc = meta_u64(f, "run.epoch", &epoch, err)) ||
        (rc = meta_u64(f, "run.corpus_tokens", &ntok, err)))
        return rc;
    /* no larger than --steps may ask for, so counting on can never overflow */
    if (step > 1000000000000000ull || optim_t > 1000000000000000ull || epoch > 1000000000000000ull)
        return err_set(err, ERR_INPUT, "%s: run.step, run.optim_t or run.epoch is beyond 1e15; the run state is damaged",
                       f->path);
    t->step = (long)step;
    t->optim.t = (long)optim_t;
    t->rng.state = rs;
    t->rng.inc = ri;
    size_t n = t->model.n_params;
    if (t->optim.m && (rc = st_get_f32(f, "optim.m", t->optim.m, n, err)))
        return rc;
    if (t->optim.v && (rc = st_get_f32(f, "optim.v", t->optim.v, n, err)))
        return rc;
    if ((rc = history_load(&t->history, f, err)) != 0)
        return rc;
    int L = t->model.cfg.layers;
    if (st_find(f, "diag.gate_sat")) {
        uint64_t dstep = 0;
        if ((rc = st_get_f32(f, "diag.gate_sat", &t->gate_sat[0][0], (size_t)L * 4, err)) ||
            (rc = st_get_f32(f, "diag.gate_mean", t->gate_mean, (size_t)L, err)) ||
            (rc = meta_u64(f, "diag.decay_step", &dstep, err)))
            return rc;
        if (dstep > step)
            return err_set(err, ERR_INPUT, "%s: diag.decay_step is past run.step; the run state is damaged", f->path);
        t->decay_step = (long)dstep;
        if (st_get_f32(f, "diag.decay", t->decay, (size_t)L * t->cfg.seq, NULL) != 0)
            t->decay_step = 0; /* --seq changed: no probe result to repeat */
        uint64_t gstep = 0;
        if (st_find(f, "diag.dead_frac") &&
            ((rc = st_get_f32(f, "diag.dead_frac", t->dead_frac, (size_t)L, err)) ||
             (rc = meta_u64(f, "diag.gate_step", &gstep, err))))
            return rc;
        if (gstep > step + 1)
            return err_set(err, ERR_INPUT, "%s: diag.gate_step is past run.step; the run state is damaged", f->path);
        t->gate_step = (long)gstep;
    }
    if ((rc = findings_load(&t->findings, f, err)) != 0)
        return rc;
    if (t->note[0])
        return 0; /* the data stream changed: start it, and the carried state, afresh */
    if (ntok != t->corpus.n)
        return err_set(err, ERR_INPUT,
                       "%s: the run was trained on %" PRIu64 " tokens of %s, which now has %zu; "
                       "the corpus changed since the run was saved", f->path, ntok, t->corpus.path, t->corpus.n);
    if (pos > t->batcher.seg_len)
        return err_set(err, ERR_INPUT, "%s: run.batch_pos %" PRIu64 " is past the end of the data", f->path, pos);
    t->batcher.pos = (size_t)pos;
    t->batcher.epoch = (long)epoch;
    if (t->sharded) {
        /* every stream's state is in the file; this rank keeps its own */
        size_t nf = (size_t)t->state.layers * t->cfg.batch * t->state.hidden;
        if ((rc = st_get_f32(f, "run.h", t->full_h, nf, err)))
            return rc;
        if (t->state.c && (rc = st_get_f32(f, "run.c", t->full_c, nf, err)))
            return rc;
        state_take_columns(t);
    } else {
        size_t ns = (size_t)t->state.layers * t->state.batch * t->state.hidden;
        if ((rc = st_get_f32(f, "run.h", t->state.h, ns, err)))
            return rc;
        if (t->state.c && (rc = st_get_f32(f, "run.c", t->state.c, ns, err)))
            return rc;
    }
    const char *vl = st_meta(f, "run.val_loss");
    t->last_val_loss = vl ? strtof(vl, NULL) : NAN;
    return 0;
}

/* The run's id and best validation loss (a run from an older rnnscope, or a
 * model-only file, gets a new id), and the file it came from. */
static void restore_identity(Trainer *t, const StFile *f, const char *path, int has_run)
{
    const char *id = has_run ? st_meta(f, "run.id") : NULL;
    size_t n = id ? strlen(id) : 0;
    if (n >= 8 && n < RUN_ID_CAP && strspn(id, "0123456789abcdef") == n)
        snprintf(t->run_id, sizeof t->run_id, "%s", id);
    else
        run_id_new(t->run_id);
    char canon[PATH_MAX];
    if (!realpath(path, canon) || strlen(canon) >= sizeof t->origin)
        canon[0] = '\0';
    memcpy(t->origin, canon, strlen(canon) + 1);
    snprintf(t->save_path, sizeof t->save_path, "%s", path);
    const char *log = has_run ? st_meta(f, "run.log") : NULL;
    snprintf(t->log_path, sizeof t->log_path, "%s", log && strlen(log) < sizeof t->log_path ? log : "");
    const char *bv = has_run ? st_meta(f, "run.best_val_loss") : NULL, *bs = st_meta(f, "run.best_step");
    float best = bv ? strtof(bv, NULL) : NAN;
    long step = bs ? strtol(bs, NULL, 10) : 0;
    if (isfinite(best) && step > 0 && step <= t->step) {
        t->best_val_loss = best;
        t->best_step = step;
    }
}

int trainer_resume(Trainer *t, const char *path, const TrainConfig *cfg, const int *overridden, Err *err)
{
    return trainer_resume_ranks(t, path, cfg, overridden, NULL, err);
}

/* trainer_resume's work on this process; cleans up after itself on failure. */
static int resume_here(Trainer *t, const char *path, const TrainConfig *cfg, const int *overridden, Err *err)
{
    StFile f;
    int rc = st_read(&f, path, err);
    if (rc)
        return rc;
    Tokenizer tok;
    if ((rc = checkpoint_read_model(&f, &t->model, &tok, err)) != 0) {
        st_free(&f);
        return rc;
    }
    int data_changed = 0;
    rc = merge_config(&f, &t->model, tok.type, cfg, overridden, &t->cfg, &data_changed, err);
    if (!rc)
        rc = train_config_check(&t->cfg, err);
    if (!rc)
        rc = check_memory(&t->model.cfg, &t->cfg, err);
    if (!rc) {
        t->model.cfg.dropout = t->cfg.dropout;
        rc = corpus_load(&t->corpus, t->cfg.corpus, tok.type, t->cfg.max_vocab, t->cfg.val_frac, &tok, err);
    }
    tokenizer_free(&tok);
    if (rc) {
        model_free(&t->model);
        st_free(&f);
        return rc;
    }
    int has_run = st_meta(&f, "run.step") != NULL;
    if (data_changed && has_run)
        snprintf(t->note, sizeof t->note,
                 "the corpus, --batch, --seq or --val-frac changed: the data stream restarts from its beginning");
    rng_seed(&t->rng, t->cfg.seed);
    rc = setup_run(t, err);
    if (!rc && has_run)
        rc = restore_run_state(t, &f, err);
    if (!rc)
        restore_identity(t, &f, path, has_run);
    st_free(&f);
    if (rc)
        trainer_free(t);
    return rc;
}

int trainer_resume_ranks(Trainer *t, const char *path, const TrainConfig *cfg, const int *overridden,
                         Comm *comm, Err *err)
{
    memset(t, 0, sizeof *t);
    t->comm = comm;
    return start_together(t, comm, resume_here(t, path, cfg, overridden, err), err);
}

size_t trainer_math_bytes(const Trainer *t)
{
    size_t n = t->model.n_params * sizeof(float);
    size_t bytes = 3 * n; /* params, grads, update-ratio copy */
    if (t->optim.m)
        bytes += n;
    if (t->optim.v)
        bytes += n;
    return bytes + workspace_bytes(t->ws);
}
