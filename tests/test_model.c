/* test_model.c — the model against PyTorch, tensor by tensor, plus properties.
 *
 * Fixtures (tests/make_fixtures.py, run with /usr/bin/python3) hold a seeded
 * PyTorch model's weights, one chunk (x, y as F32 token ids, time-major),
 * a non-zero initial state, and PyTorch's loss, logits, final state and every
 * gradient. Tolerances: loss 1e-5 relative; logits and final state 1e-5
 * absolute; each gradient within 1e-4 of that tensor's largest |gradient|.
 * Then: determinism, chunk splitting with state carry, dropout, the gradient
 * norm and gate saturation diagnostics, the decay probe (model_backward_probe)
 * and the read-only workspace views, and config validation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_math.h"
#include "check.h"
#include "cpu.h"
#include "model.h"
#include "safetensors.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures"
#endif

static float max_abs_diff(const float *a, const float *b, size_t n, size_t *where)
{
    float worst = 0.0f;
    *where = 0;
    for (size_t i = 0; i < n; i++) {
        float d = fabsf(a[i] - b[i]);
        if (!(d <= worst)) { /* also catches NaN */
            worst = d;
            *where = i;
        }
    }
    return worst;
}

static int meta_int(const StFile *f, const char *key)
{
    const char *v = st_meta(f, key);
    return v ? atoi(v) : -1;
}

/* Loads a fixture into a fresh model; returns 0 on success. */
static int load_fixture(const char *path, Model *m, StFile *f, int *T, int *B)
{
    Err err;
    err_clear(&err);
    if (!CHECK(st_read(f, path, &err) == 0, "read %s (%s)", path, err.msg))
        return -1;
    ModelConfig cfg = { CELL_LSTM, meta_int(f, "layers"), meta_int(f, "hidden"),
                        meta_int(f, "embed"), meta_int(f, "vocab_size"), 0.0f };
    if (!CHECK(st_meta(f, "cell") && cell_parse(st_meta(f, "cell"), &cfg.cell) == 0,
               "%s: cell metadata", path))
        return -1;
    *T = meta_int(f, "seq");
    *B = meta_int(f, "batch");
    if (!CHECK(model_new(m, &cfg, &err) == 0, "%s: model_new (%s)", path, err.msg))
        return -1;
    int ok = 1;
    for (int i = 0; i < m->n_tensors; i++) {
        const TensorView *v = &m->tensors[i];
        ok &= CHECK(st_get_f32(f, v->name, model_tensor(m, i), v->size, &err) == 0,
                    "%s: load %s (%s)", path, v->name, err.msg);
    }
    return ok ? 0 : -1;
}

static int *get_ids(const StFile *f, const char *name, size_t n)
{
    float *tmp = xmalloc(n * sizeof *tmp);
    int *ids = xmalloc(n * sizeof *ids);
    Err err;
    if (st_get_f32(f, name, tmp, n, &err) != 0)
        memset(tmp, 0, n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int)tmp[i];
    free(tmp);
    return ids;
}

/* tag "_table": a fixture whose vocabulary is small next to its chunk, so
 * layer 0 is projected through the per-token table (model.c). threads 1: a
 * workspace without a pool, whose few streams go through gemv while OpenBLAS
 * has threads; 2: a pool, which splits the streams and packs w_hh for rgemm. */
static void test_fixture(const char *cell, int layers, const char *tag, int threads)
{
    char file[256], path[300];
    snprintf(file, sizeof file, FIXTURE_DIR "/model_%s_l%d%s.safetensors", cell, layers, tag);
    snprintf(path, sizeof path, "%s on %d thread%s", file, threads, threads > 1 ? "s" : "");
    Model m;
    StFile f;
    memset(&f, 0, sizeof f);
    memset(&m, 0, sizeof m);
    int T, B;
    if (load_fixture(file, &m, &f, &T, &B) != 0) {
        st_free(&f);
        model_free(&m);
        return;
    }
    const ModelConfig *cfg = &m.cfg;
    const size_t N = (size_t)T * B, V = (size_t)cfg->vocab;
    if (*tag)
        CHECK(4 * V <= N, "%s: V=%zu is small enough next to T*B=%zu for the table path", path, V, N);
    const size_t ns = (size_t)cfg->layers * B * cfg->hidden;
    int *x = get_ids(&f, "x", N), *y = get_ids(&f, "y", N);
    State s;
    state_init(&s, cfg, B);
    Err err;
    st_get_f32(&f, "h0", s.h, ns, &err);
    if (s.c)
        st_get_f32(&f, "c0", s.c, ns, &err);
    State s0;
    state_init(&s0, cfg, B);
    state_copy(&s0, &s);

    Workspace *ws = workspace_new_threads(cfg, T, B, threads);
    float loss = model_forward(&m, ws, x, y, T, B, &s, 0, NULL);
    model_backward(&m, ws);

    float ref_loss;
    st_get_f32(&f, "loss", &ref_loss, 1, &err);
    CHECK(fabsf(loss - ref_loss) <= 1e-5f * fabsf(ref_loss), "%s: loss %.7f vs torch %.7f",
          path, (double)loss, (double)ref_loss);

    float *ref = xmalloc((N * V > m.n_params ? N * V : m.n_params) * sizeof *ref);
    size_t at;
    float d;
    if (st_get_f32(&f, "logits", ref, N * V, &err) == 0) {
        d = max_abs_diff(workspace_logits(ws), ref, N * V, &at);
        CHECK(d <= 1e-5f, "%s: logits max |diff| %.2e (at %zu) <= 1e-5", path, (double)d, at);
    } else {
        CHECK(0, "%s: %s", path, err.msg);
    }
    st_get_f32(&f, "hT", ref, ns, &err);
    d = max_abs_diff(s.h, ref, ns, &at);
    CHECK(d <= 1e-5f, "%s: final h max |diff| %.2e (at %zu) <= 1e-5", path, (double)d, at);
    if (s.c) {
        st_get_f32(&f, "cT", ref, ns, &err);
        d = max_abs_diff(s.c, ref, ns, &at);
        CHECK(d <= 1e-5f, "%s: final c max |diff| %.2e (at %zu) <= 1e-5", path, (double)d, at);
    }
    for (int i = 0; i < m.n_tensors; i++) {
        const TensorView *v = &m.tensors[i];
        char gname[64];
        snprintf(gname, sizeof gname, "grad.%s", v->name);
        if (!CHECK(st_get_f32(&f, gname, ref, v->size, &err) == 0, "%s: %s", path, err.msg))
            continue;
        float gmax = 0.0f;
        for (size_t k = 0; k < v->size; k++)
            gmax = fmaxf(gmax, fabsf(ref[k]));
        d = max_abs_diff(model_tensor_grad(&m, i), ref, v->size, &at);
        CHECK(gmax > 0.0f && d <= 1e-4f * gmax,
              "%s: gradient %s max |diff| %.2e (at %zu) <= 1e-4 * max|g| %.2e", path, v->name,
              (double)d, at, (double)gmax);
    }

    /* Determinism: the same forward again gives identical bits. */
    float *logits1 = xmalloc(N * V * sizeof *logits1);
    memcpy(logits1, workspace_logits(ws), N * V * sizeof *logits1);
    State s2;
    state_init(&s2, cfg, B);
    state_copy(&s2, &s0);
    float loss2 = model_forward(&m, ws, x, y, T, B, &s2, 0, NULL);
    CHECK(memcmp(&loss, &loss2, sizeof loss) == 0 &&
          memcmp(logits1, workspace_logits(ws), N * V * sizeof *logits1) == 0 &&
          memcmp(s.h, s2.h, ns * sizeof *s.h) == 0,
          "%s: a second forward gives identical bits", path);

    /* Split the chunk in two halves, carrying the state. */
    int T1 = T / 2, T2 = T - T1;
    state_copy(&s2, &s0);
    model_forward(&m, ws, x, NULL, T1, B, &s2, 0, NULL);
    float d1 = max_abs_diff(workspace_logits(ws), logits1, (size_t)T1 * B * V, &at);
    model_forward(&m, ws, x + (size_t)T1 * B, NULL, T2, B, &s2, 0, NULL);
    float d2 = max_abs_diff(workspace_logits(ws), logits1 + (size_t)T1 * B * V,
                            (size_t)T2 * B * V, &at);
    float d3 = max_abs_diff(s2.h, s.h, ns, &at);
    float d4 = s.c ? max_abs_diff(s2.c, s.c, ns, &at) : 0.0f;
    CHECK(fmaxf(fmaxf(d1, d2), fmaxf(d3, d4)) <= 1e-6f,
          "%s: two half-chunks with carried state match the whole chunk "
          "(logits %.1e %.1e, h %.1e, c %.1e <= 1e-6)", path, (double)d1, (double)d2,
          (double)d3, (double)d4);

    free(logits1);
    free(ref);
    free(x);
    free(y);
    state_free(&s);
    state_free(&s0);
    state_free(&s2);
    workspace_free(ws);
    model_free(&m);
    st_free(&f);
}

static void random_ids(Rng *r, int *ids, size_t n, int V)
{
    for (size_t i = 0; i < n; i++)
        ids[i] = (int)rng_below(r, (uint32_t)V);
}

static void test_dropout(CellType cell)
{
    enum { T = 5, B = 3 };
    ModelConfig on = { cell, 2, 6, 4, 9, 0.5f }, off = on;
    off.dropout = 0.0f;
    Model m_on, m_off;
    Err err;
    model_new(&m_on, &on, &err);
    model_new(&m_off, &off, &err);
    Rng r;
    rng_seed(&r, 5);
    model_init(&m_on, &r, 1);
    memcpy(m_off.params, m_on.params, m_on.n_params * sizeof(float));
    int x[T * B], y[T * B];
    random_ids(&r, x, T * B, on.vocab);
    random_ids(&r, y, T * B, on.vocab);
    Workspace *w_on = workspace_new(&on, T, B), *w_off = workspace_new(&off, T, B);
    State s;
    state_init(&s, &on, B);
    const size_t nl = (size_t)T * B * on.vocab;
    float *ref = xmalloc(nl * sizeof *ref);

    Rng d;
    rng_seed(&d, 77);
    Rng d0 = d;
    model_forward(&m_off, w_off, x, y, T, B, &s, 0, &d);
    memcpy(ref, workspace_logits(w_off), nl * sizeof *ref);
    state_zero(&s);
    model_forward(&m_on, w_on, x, y, T, B, &s, 0, &d);
    CHECK(memcmp(ref, workspace_logits(w_on), nl * sizeof *ref) == 0 &&
          d.state == d0.state, "%s: train=0 ignores dropout 0.5 and leaves the rng alone",
          cell_name(cell));
    state_zero(&s);
    model_forward(&m_off, w_off, x, y, T, B, &s, 1, &d);
    CHECK(memcmp(ref, workspace_logits(w_off), nl * sizeof *ref) == 0 &&
          d.state == d0.state, "%s: train=1 with dropout 0 is train=0 and leaves the rng alone",
          cell_name(cell));
    state_zero(&s);
    model_forward(&m_on, w_on, x, y, T, B, &s, 1, &d);
    size_t at;
    float diff = max_abs_diff(ref, workspace_logits(w_on), nl, &at);
    CHECK(diff > 1e-3f && d.state != d0.state,
          "%s: train=1 with dropout 0.5 changes the logits (max |diff| %.2e) and draws masks",
          cell_name(cell), (double)diff);
    /* Same rng state again: same masks, same logits. */
    Rng again = d0;
    float *l1 = xmalloc(nl * sizeof *l1);
    memcpy(l1, workspace_logits(w_on), nl * sizeof *l1);
    state_zero(&s);
    model_forward(&m_on, w_on, x, y, T, B, &s, 1, &again);
    CHECK(memcmp(l1, workspace_logits(w_on), nl * sizeof *l1) == 0,
          "%s: the same rng state gives the same dropout masks", cell_name(cell));
    free(l1);
    free(ref);
    state_free(&s);
    workspace_free(w_on);
    workspace_free(w_off);
    model_free(&m_on);
    model_free(&m_off);
}

/* Top layer, last step: dLoss/dh_{T-1} comes only from the head, so its norm
 * can be recomputed from the logits by hand. */
static void test_dh_norms(CellType cell)
{
    enum { T = 4, B = 3 };
    ModelConfig cfg = { cell, 2, 6, 4, 9, 0.0f };
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 11);
    model_init(&m, &r, 0);
    int x[T * B], y[T * B];
    random_ids(&r, x, T * B, cfg.vocab);
    random_ids(&r, y, T * B, cfg.vocab);
    Workspace *ws = workspace_new(&cfg, T, B);
    State s;
    state_init(&s, &cfg, B);
    model_forward(&m, ws, x, y, T, B, &s, 0, NULL);
    model_backward(&m, ws);
    const float *norms = workspace_dh_norms(ws);
    const float *lg = workspace_logits(ws);
    const float *hw = model_tensor(&m, TENSOR_HEAD_W(cfg.layers));
    double mean = 0.0;
    for (int b = 0; b < B; b++) {
        const float *l = lg + ((size_t)(T - 1) * B + b) * cfg.vocab;
        double mx = l[0], z = 0.0, p[16];
        for (int v = 1; v < cfg.vocab; v++)
            mx = fmax(mx, l[v]);
        for (int v = 0; v < cfg.vocab; v++)
            z += (p[v] = exp(l[v] - mx));
        double sq = 0.0;
        for (int j = 0; j < cfg.hidden; j++) {
            double g = 0.0;
            for (int v = 0; v < cfg.vocab; v++)
                g += (p[v] / z - (v == y[(T - 1) * B + b])) / (T * B) * hw[v * cfg.hidden + j];
            sq += g * g;
        }
        mean += sqrt(sq) / B;
    }
    float top_last = norms[(cfg.layers - 1) * T + T - 1];
    CHECK(fabs(top_last - mean) <= 1e-5 * mean,
          "%s: dh norm of the top layer's last step %.6g equals the head's %.6g",
          cell_name(cell), (double)top_last, mean);
    int positive = 1;
    for (int i = 0; i < cfg.layers * T; i++)
        positive &= norms[i] > 0.0f && isfinite(norms[i]);
    CHECK(positive, "%s: every dh norm is positive and finite", cell_name(cell));
    int tt, bb;
    workspace_chunk(ws, &tt, &bb);
    CHECK(tt == T && bb == B, "%s: workspace_chunk reports T=%d B=%d", cell_name(cell), tt, bb);
    state_free(&s);
    workspace_free(ws);
    model_free(&m);
}

/* The decay probe, tanh rnn, dropout off: per stream, the last position's
 * loss carried back by hand in double through the stored h (dpre = dh (1 - h^2),
 * dh_{t-1} = W_hh^T dpre, the layer below gets W_ih^T dpre), mean of the norms. */
static void probe_reference_rnn(const Model *m, const Workspace *ws, const int *y, int T, int B,
                                double *ref)
{
    const int L = m->cfg.layers, H = m->cfg.hidden, V = m->cfg.vocab;
    memset(ref, 0, sizeof(double) * (size_t)L * T);
    for (int b = 0; b < B; b++) {
        double d_in[8][8] = {{0}}; /* [t][j]: dLoss/dh_t arriving from above */
        const float *lg = workspace_logits(ws) + ((size_t)(T - 1) * B + b) * V;
        const float *hw = model_tensor(m, TENSOR_HEAD_W(L));
        double mx = lg[0], z = 0, p[16];
        for (int v = 1; v < V; v++)
            mx = fmax(mx, lg[v]);
        for (int v = 0; v < V; v++)
            z += (p[v] = exp(lg[v] - mx));
        for (int j = 0; j < H; j++) {
            double g = 0;
            for (int v = 0; v < V; v++)
                g += (p[v] / z - (v == y[(T - 1) * B + b])) / B * hw[v * H + j];
            d_in[T - 1][j] = g;
        }
        for (int l = L - 1; l >= 0; l--) {
            const float *hs = workspace_layer_h(ws, l);
            const float *w_ih = model_tensor(m, TENSOR_W_IH(l)), *w_hh = model_tensor(m, TENSOR_W_HH(l));
            const int In = m->tensors[TENSOR_W_IH(l)].shape[1];
            double rec[8] = {0}, below[8][8] = {{0}};
            for (int t = T - 1; t >= 0; t--) {
                double dpre[8], sq = 0;
                for (int j = 0; j < H; j++) {
                    double d = d_in[t][j] + rec[j], h = hs[((size_t)(t + 1) * B + b) * H + j];
                    sq += d * d;
                    dpre[j] = d * (1 - h * h);
                }
                ref[l * T + t] += sqrt(sq) / B;
                for (int k = 0; k < H; k++) {
                    rec[k] = 0;
                    for (int j = 0; j < H; j++)
                        rec[k] += w_hh[j * H + k] * dpre[j];
                }
                for (int k = 0; k < In; k++) {
                    below[t][k] = 0;
                    for (int j = 0; j < H; j++)
                        below[t][k] += w_ih[j * In + k] * dpre[j];
                }
            }
            memcpy(d_in, below, sizeof d_in);
        }
    }
}

/* model_backward_probe: no weight gradient touched, nothing of the workspace
 * that a backward or the inspector reads changed, and the norms right: at the
 * last step only the last loss reaches h_{T-1}, so there the probe is T times
 * model_backward's per-position norm in every layer (with dropout on, only if
 * it uses the forward's own masks); the rnn's whole curve against a
 * hand-written backward. */
static void test_backward_probe(CellType cell, float dropout)
{
    enum { T = 5, B = 3, L = 2 };
    ModelConfig cfg = { cell, L, 6, 4, 9, dropout };
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 23);
    model_init(&m, &r, 0);
    int x[T * B], y[T * B];
    random_ids(&r, x, T * B, cfg.vocab);
    random_ids(&r, y, T * B, cfg.vocab);
    Workspace *ws = workspace_new(&cfg, T, B);
    State s;
    state_init(&s, &cfg, B);
    for (size_t i = 0; i < (size_t)L * B * cfg.hidden; i++)
        s.h[i] = 0.3f * rng_normal(&r); /* a carried-in state, as in training */
    Rng d;
    rng_seed(&d, 99);
    model_forward(&m, ws, x, y, T, B, &s, 1, &d);
    model_backward(&m, ws);
    const size_t nb = m.n_params * sizeof(float);
    float *grads = xmalloc(nb), *norms = xmalloc(sizeof(float) * L * T);
    float *h0 = xmalloc(sizeof(float) * (T + 1) * B * cfg.hidden);
    memcpy(grads, m.grads, nb);
    memcpy(norms, workspace_dh_norms(ws), sizeof(float) * L * T);
    memcpy(h0, workspace_layer_h(ws, 0), sizeof(float) * (T + 1) * B * cfg.hidden);
    float decay[L * T], again[L * T];
    model_backward_probe(&m, NULL, ws, decay);
    const char *name = cell_name(cell);
    CHECK(memcmp(grads, m.grads, nb) == 0, "%s dropout %g: the probe leaves m->grads as they were", name,
          (double)dropout);
    CHECK(memcmp(norms, workspace_dh_norms(ws), sizeof(float) * L * T) == 0 &&
              memcmp(h0, workspace_layer_h(ws, 0), sizeof(float) * (T + 1) * B * cfg.hidden) == 0,
          "%s dropout %g: and the backward's norms and the stored activations", name, (double)dropout);
    double worst = 0;
    for (int l = 0; l < L; l++) {
        double a = decay[l * T + T - 1], b = (double)T * norms[l * T + T - 1];
        worst = fmax(worst, fabs(a - b) / b);
    }
    CHECK(worst < 1e-5, "%s dropout %g: at the last step the probe is T x the backward's norm in both layers "
          "(rel err %.2g)", name, (double)dropout, worst);
    int positive = 1;
    for (int i = 0; i < L * T; i++)
        positive &= decay[i] > 0.0f && isfinite(decay[i]);
    CHECK(positive, "%s dropout %g: every probe norm is positive and finite", name, (double)dropout);
    model_backward(&m, ws);
    CHECK(memcmp(grads, m.grads, nb) == 0, "%s dropout %g: a backward after the probe gives the same gradients",
          name, (double)dropout);
    float *copy = xmalloc(nb);
    memcpy(copy, m.params, nb);
    model_backward_probe(&m, copy, ws, again);
    CHECK(memcmp(decay, again, sizeof decay) == 0, "%s dropout %g: params = a copy of m->params gives the same "
          "norms, bit for bit", name, (double)dropout);
    copy[m.tensors[TENSOR_W_HH(1)].offset] += 0.5f;
    model_backward_probe(&m, copy, ws, again);
    CHECK(memcmp(decay, again, sizeof decay) != 0 && again[L * T - 1] == decay[L * T - 1],
          "%s dropout %g: the weights come from params (a changed W_hh moves the earlier norms, not the last)",
          name, (double)dropout);
    if (cell == CELL_RNN && dropout == 0.0f) {
        double ref[L * T];
        probe_reference_rnn(&m, ws, y, T, B, ref);
        double w = 0;
        for (int i = 0; i < L * T; i++)
            w = fmax(w, fabs(decay[i] - ref[i]) / ref[i]);
        CHECK(w < 1e-5, "rnn: every probe norm matches a hand-written backward of the last loss (rel err %.2g)", w);
    }
    /* no targets: nothing to carry back */
    model_forward(&m, ws, x, NULL, T, B, &s, 0, NULL);
    model_backward_probe(&m, NULL, ws, again);
    int zero = 1;
    for (int i = 0; i < L * T; i++)
        zero &= again[i] == 0.0f;
    CHECK(zero, "%s dropout %g: after a forward without targets the probe gives zeros", name, (double)dropout);
    free(copy);
    free(grads);
    free(norms);
    free(h0);
    state_free(&s);
    workspace_free(ws);
    model_free(&m);
}

/* The read-only views point into the buffers the forward filled. */
static void test_workspace_views(CellType cell)
{
    enum { T = 3, B = 2, L = 2 };
    ModelConfig cfg = { cell, L, 5, 4, 7, 0.0f };
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 3);
    model_init(&m, &r, 0);
    int x[T * B];
    random_ids(&r, x, T * B, cfg.vocab);
    Workspace *ws = workspace_new(&cfg, T, B);
    State s, s0;
    state_init(&s, &cfg, B);
    state_init(&s0, &cfg, B);
    for (size_t i = 0; i < (size_t)L * B * cfg.hidden; i++)
        s.h[i] = s0.h[i] = (float)i / 10.0f;
    model_forward(&m, ws, x, NULL, T, B, &s, 0, NULL);
    const float *emb = workspace_embedding(ws), *ew = model_tensor(&m, TENSOR_EMBEDDING);
    int ok = 1;
    for (int r2 = 0; r2 < T * B; r2++)
        ok &= memcmp(emb + r2 * cfg.embed, ew + x[r2] * cfg.embed, sizeof(float) * cfg.embed) == 0;
    CHECK(ok, "%s: workspace_embedding holds the gathered rows", cell_name(cell));
    const float *h1 = workspace_layer_h(ws, 1);
    CHECK(memcmp(h1, s0.h + B * cfg.hidden, sizeof(float) * B * cfg.hidden) == 0 &&
              memcmp(h1 + (size_t)T * B * cfg.hidden, s.h + B * cfg.hidden, sizeof(float) * B * cfg.hidden) == 0,
          "%s: workspace_layer_h(1) starts with the carried-in h0 and ends with the final h", cell_name(cell));
    if (cell == CELL_LSTM)
        CHECK(workspace_layer_c(ws, 0) && memcmp(workspace_layer_c(ws, 0) + (size_t)T * B * cfg.hidden, s.c,
                                                  sizeof(float) * B * cfg.hidden) == 0,
              "lstm: workspace_layer_c(0) ends with the final c");
    else
        CHECK(workspace_layer_c(ws, 0) == NULL, "%s: no cell state", cell_name(cell));
    int sig_ok = 1;
    const float *g = workspace_layer_gates(ws, 0);
    if (cell == CELL_LSTM) /* i, f, o are sigmoids */
        for (int i = 0; g && i < T * B; i++)
            for (int j = 0; j < cfg.hidden; j++)
                sig_ok &= g[i * 4 * cfg.hidden + j] > 0 && g[i * 4 * cfg.hidden + j] < 1;
    CHECK((cell == CELL_RNN) == (g == NULL) && sig_ok, "%s: gates %s", cell_name(cell),
          cell == CELL_RNN ? "NULL (only the input projection is kept)" : "are activated");
    CHECK(workspace_layer_h(ws, L) == NULL && workspace_layer_h(ws, -1) == NULL && workspace_layer_gates(ws, L) == NULL,
          "%s: out-of-range layers give NULL", cell_name(cell));
    state_free(&s);
    state_free(&s0);
    workspace_free(ws);
    model_free(&m);
}

/* Push one gate block hard through its bias and watch the stats follow. */
static void test_gate_stats(CellType cell)
{
    enum { T = 3, B = 2 };
    const int H = 5;
    ModelConfig cfg = { cell, 1, H, 4, 9, 0.0f };
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 3);
    model_init(&m, &r, 0);
    int x[T * B];
    random_ids(&r, x, T * B, cfg.vocab);
    Workspace *ws = workspace_new(&cfg, T, B);
    State s;
    state_init(&s, &cfg, B);
    GateStats gs;
    workspace_gate_stats(ws, 0, &gs);
    CHECK(gs.n_blocks == 0, "%s: no gate stats before a forward", cell_name(cell));

    /* lstm: forget block (1) to +20; gru: update block (1) to -20; rnn: h to +20. */
    int block = cell == CELL_RNN ? 0 : 1;
    float push = cell == CELL_GRU ? -20.0f : 20.0f;
    float *bias = model_tensor(&m, TENSOR_B_IH(0)) + block * H;
    for (int j = 0; j < H; j++)
        bias[j] = push;
    model_forward(&m, ws, x, NULL, T, B, &s, 0, NULL);
    workspace_gate_stats(ws, 0, &gs);
    CHECK(gs.n_blocks == cell_gates(cell) && gs.count == (long)T * B * H,
          "%s: %d blocks of %ld units", cell_name(cell), gs.n_blocks, gs.count);
    CHECK(gs.saturated[block] == 1.0f, "%s: pushed block %s fully saturated (%.3f)",
          cell_name(cell), gs.names[block], (double)gs.saturated[block]);
    if (cell == CELL_LSTM)
        CHECK(gs.gate_mean > 0.999f && strcmp(gs.names[1], "f") == 0,
              "lstm: mean forget gate %.4f near 1", (double)gs.gate_mean);
    if (cell == CELL_GRU)
        CHECK(gs.gate_mean < 0.001f && strcmp(gs.names[1], "z") == 0,
              "gru: mean update gate %.4f near 0", (double)gs.gate_mean);
    for (int j = 0; j < H; j++)
        bias[j] = 0.0f;
    float *w = model_tensor(&m, TENSOR_W_IH(0)) + (size_t)block * H * cfg.embed;
    memset(w, 0, (size_t)H * cfg.embed * sizeof *w);
    memset(model_tensor(&m, TENSOR_W_HH(0)), 0,
           m.tensors[TENSOR_W_HH(0)].size * sizeof(float));
    memset(model_tensor(&m, TENSOR_B_HH(0)), 0,
           m.tensors[TENSOR_B_HH(0)].size * sizeof(float));
    model_forward(&m, ws, x, NULL, T, B, &s, 0, NULL);
    workspace_gate_stats(ws, 0, &gs);
    CHECK(gs.saturated[block] == 0.0f, "%s: zero pre-activation: block %s unsaturated (%.3f)",
          cell_name(cell), gs.names[block], (double)gs.saturated[block]);
    state_free(&s);
    workspace_free(ws);
    model_free(&m);
}

/* A NaN in a recurrent weight must reach the loss: the gate nonlinearities
 * clamp their input for speed, and must not turn a NaN into a finite gate. */
static void test_nan_propagates(CellType cell)
{
    enum { T = 4, B = 2 };
    ModelConfig cfg = { cell, 2, 6, 4, 9, 0.0f };
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 9);
    model_init(&m, &r, 0);
    int x[T * B], y[T * B];
    random_ids(&r, x, T * B, cfg.vocab);
    random_ids(&r, y, T * B, cfg.vocab);
    model_tensor(&m, TENSOR_W_HH(1))[3] = NAN;
    Workspace *ws = workspace_new(&cfg, T, B);
    State s;
    state_init(&s, &cfg, B);
    float loss = model_forward(&m, ws, x, y, T, B, &s, 0, NULL);
    CHECK(isnan(loss), "%s: a NaN in rnn.weight_hh_l1 makes the loss NaN (got %g)", cell_name(cell),
          (double)loss);
    state_free(&s);
    workspace_free(ws);
    model_free(&m);
}

/* Everything one chunk computes, for comparing thread counts. */
typedef struct {
    float loss;
    float *logits, *grads, *h, *c, *norms, *decay;
} ChunkResult;

static void run_chunk(const Model *m0, int threads, int T, int B, const int *x, const int *y,
                      ChunkResult *out)
{
    Model m;
    Err err;
    model_new(&m, &m0->cfg, &err);
    memcpy(m.params, m0->params, m.n_params * sizeof *m.params);
    const ModelConfig *cfg = &m.cfg;
    Workspace *ws = workspace_new_threads(cfg, T, B, threads);
    State s;
    state_init(&s, cfg, B);
    Rng r;
    rng_seed(&r, 99);
    for (size_t i = 0; i < (size_t)cfg->layers * B * cfg->hidden; i++) {
        s.h[i] = rng_uniform(&r) - 0.5f;
        if (s.c)
            s.c[i] = rng_uniform(&r) - 0.5f;
    }
    const size_t N = (size_t)T * B, ns = (size_t)cfg->layers * B * cfg->hidden;
    out->loss = model_forward(&m, ws, x, y, T, B, &s, 1, &r);
    model_backward(&m, ws);
    out->logits = xmalloc(N * cfg->vocab * sizeof(float));
    memcpy(out->logits, workspace_logits(ws), N * cfg->vocab * sizeof(float));
    out->grads = xmalloc(m.n_params * sizeof(float));
    memcpy(out->grads, m.grads, m.n_params * sizeof(float));
    out->h = xmalloc(ns * sizeof(float));
    memcpy(out->h, s.h, ns * sizeof(float));
    out->c = xcalloc(ns, sizeof(float));
    if (s.c)
        memcpy(out->c, s.c, ns * sizeof(float));
    out->norms = xmalloc((size_t)cfg->layers * T * sizeof(float));
    memcpy(out->norms, workspace_dh_norms(ws), (size_t)cfg->layers * T * sizeof(float));
    out->decay = xmalloc((size_t)cfg->layers * T * sizeof(float));
    model_backward_probe(&m, NULL, ws, out->decay);
    state_free(&s);
    workspace_free(ws);
    model_free(&m);
}

static void free_chunk(ChunkResult *r)
{
    free(r->logits);
    free(r->grads);
    free(r->h);
    free(r->c);
    free(r->norms);
    free(r->decay);
}

/* Largest |a - b| relative to the largest |a|. */
static float rel_diff(const float *a, const float *b, size_t n)
{
    float scale = 0.0f, worst = 0.0f;
    for (size_t i = 0; i < n; i++) {
        scale = fmaxf(scale, fabsf(a[i]));
        float d = fabsf(a[i] - b[i]);
        if (!(d <= worst))
            worst = d;
    }
    return scale > 0.0f ? worst / scale : worst;
}

static int same_chunk(const ChunkResult *a, const ChunkResult *b, const Model *m, int T, int B)
{
    const ModelConfig *cfg = &m->cfg;
    const size_t N = (size_t)T * B, ns = (size_t)cfg->layers * B * cfg->hidden;
    const size_t nt = (size_t)cfg->layers * T;
    return memcmp(&a->loss, &b->loss, sizeof a->loss) == 0 &&
           memcmp(a->logits, b->logits, N * cfg->vocab * sizeof(float)) == 0 &&
           memcmp(a->grads, b->grads, m->n_params * sizeof(float)) == 0 &&
           memcmp(a->h, b->h, ns * sizeof(float)) == 0 && memcmp(a->c, b->c, ns * sizeof(float)) == 0 &&
           memcmp(a->norms, b->norms, nt * sizeof(float)) == 0 &&
           memcmp(a->decay, b->decay, nt * sizeof(float)) == 0;
}

/* A workspace with a pool (2 and 3 threads, streams that do not divide
 * evenly, dropout between layers) against the single-threaded one: the same
 * loss, logits, state, gradients, dh norms and decay probe within float
 * rounding, and bit-identical from run to run for a given thread count. */
static void test_threads(CellType cell, int T, int B, int H)
{
    ModelConfig cfg = { cell, 2, H, 8, 13, 0.3f };
    Model m;
    Err err;
    model_new(&m, &cfg, &err);
    Rng r;
    rng_seed(&r, 21);
    model_init(&m, &r, 0);
    int *x = xmalloc(sizeof(int) * T * B), *y = xmalloc(sizeof(int) * T * B);
    random_ids(&r, x, (size_t)T * B, cfg.vocab);
    random_ids(&r, y, (size_t)T * B, cfg.vocab);
    ChunkResult one, two, two_again, three;
    run_chunk(&m, 1, T, B, x, y, &one);
    run_chunk(&m, 2, T, B, x, y, &two);
    run_chunk(&m, 2, T, B, x, y, &two_again);
    run_chunk(&m, 3, T, B, x, y, &three);
    CHECK(same_chunk(&two, &two_again, &m, T, B),
          "%s T=%d B=%d H=%d: two runs on 2 threads give identical bits (loss, logits, state, "
          "gradients, dh norms, probe)", cell_name(cell), T, B, H);
    /* the narrower kernel paths, as a CPU without AVX-512 or AVX2 runs them,
     * give the widest paths' bits (cpu.h) */
    for (CpuPath p = CPU_PATH_AVX2; p < CPU_PATHS; p++) {
        ChunkResult narrow;
        cpu_force_path(p);
        run_chunk(&m, 2, T, B, x, y, &narrow);
        cpu_force_path(CPU_PATH_BEST);
        CHECK(same_chunk(&two, &narrow, &m, T, B),
              "%s T=%d B=%d H=%d: the %s kernel paths forced on give the same bits as the widest ones",
              cell_name(cell), T, B, H, cpu_path_name(p));
        free_chunk(&narrow);
    }
    const size_t N = (size_t)T * B, ns = (size_t)cfg.layers * B * H, nt = (size_t)cfg.layers * T;
    for (int k = 0; k < 2; k++) {
        const ChunkResult *o = k == 0 ? &two : &three;
        float d[7] = {
            fabsf(o->loss - one.loss) / fabsf(one.loss),
            rel_diff(one.logits, o->logits, N * cfg.vocab),
            rel_diff(one.h, o->h, ns),
            rel_diff(one.c, o->c, ns),
            rel_diff(one.norms, o->norms, nt),
            rel_diff(one.decay, o->decay, nt),
            0.0f,
        };
        for (int i = 0; i < m.n_tensors; i++) {
            const TensorView *v = &m.tensors[i];
            d[6] = fmaxf(d[6], rel_diff(one.grads + v->offset, o->grads + v->offset, v->size));
        }
        float worst = 0.0f;
        for (int i = 0; i < 7; i++)
            worst = fmaxf(worst, d[i]);
        CHECK(worst <= 1e-5f,
              "%s T=%d B=%d H=%d: %d threads agree with 1 (relative: loss %.1e logits %.1e h %.1e "
              "c %.1e norms %.1e probe %.1e worst gradient tensor %.1e <= 1e-5)",
              cell_name(cell), T, B, H, k + 2, (double)d[0], (double)d[1], (double)d[2],
              (double)d[3], (double)d[4], (double)d[5], (double)d[6]);
    }
    free_chunk(&one);
    free_chunk(&two);
    free_chunk(&two_again);
    free_chunk(&three);
    free(x);
    free(y);
    model_free(&m);
}

/* The array nonlinearities (AVX-512 16 and AVX2 8 at a time where the CPU
 * has them, SSE2 4 at a time, scalar tails) give the scalar formula's bits at
 * every position, NaN included, and stay close to libm, on each path. */
static void test_cell_math(CpuPath path)
{
    enum { N = 1003 };
    float x[N], s[N], t[N];
    Rng r;
    rng_seed(&r, 8);
    for (int i = 0; i < N; i++)
        x[i] = (rng_uniform(&r) - 0.5f) * (i % 3 == 0 ? 200.0f : 12.0f);
    x[5] = NAN;
    x[17] = INFINITY;
    x[18] = -INFINITY;
    x[19] = 0.0f;
    cpu_force_path(path);
    cell_sigmoid_vec(s, x, N);
    cell_tanh_vec(t, x, N);
    cpu_force_path(CPU_PATH_BEST);
    int same = 1, first = -1;
    double err_s = 0.0, err_t = 0.0;
    for (int i = 0; i < N; i++) {
        float rs = cell_sigmoid(x[i]), rt = cell_tanh(x[i]);
        /* a NaN's sign and payload carry no meaning (and differ with -O level) */
        int ok = (memcmp(&rs, &s[i], sizeof rs) == 0 || (isnan(rs) && isnan(s[i]))) &&
                 (memcmp(&rt, &t[i], sizeof rt) == 0 || (isnan(rt) && isnan(t[i])));
        if (!ok && first < 0)
            first = i;
        same &= ok;
        if (isfinite(x[i])) {
            err_s = fmax(err_s, fabs(s[i] - 1.0 / (1.0 + exp(-(double)x[i]))));
            err_t = fmax(err_t, fabs(t[i] - tanh((double)x[i])));
        }
    }
    CHECK(same, "sigmoid/tanh over %d values, %s paths: the vector paths give the scalar formula's bits, NaN "
          "for NaN (first differing index %d, -1 for none; x there %a)", N, cpu_path_name(path), first,
          first < 0 ? 0.0 : (double)x[first]);
    CHECK(isnan(s[5]) && isnan(t[5]), "a NaN input stays NaN in the vector paths");
    CHECK(err_s < 1e-6 && err_t < 1e-6, "vector sigmoid / tanh within 1e-6 of libm (%.1e, %.1e)", err_s,
          err_t);
}

static void test_config(void)
{
    Model m;
    Err err;
    ModelConfig bad = { CELL_LSTM, 2, 8, 4, 10, 1.0f };
    CHECK(model_new(&m, &bad, &err) == ERR_INPUT && strstr(err.msg, "dropout"),
          "dropout 1 rejected: %s", err.msg);
    bad.dropout = 0.0f;
    bad.hidden = 0;
    CHECK(model_new(&m, &bad, &err) == ERR_INPUT && strstr(err.msg, "hidden"),
          "hidden 0 rejected: %s", err.msg);
    ModelConfig ok = { CELL_GRU, 2, 8, 4, 10, 0.0f };
    CHECK(model_new(&m, &ok, &err) == 0, "gru 2x8 accepted");
    size_t expect = 10 * 4 + (24 * 4 + 24 * 8 + 48) + (24 * 8 + 24 * 8 + 48) + 10 * 8 + 10;
    CHECK(m.n_params == expect && m.n_tensors == 11, "parameter count %zu == %zu",
          m.n_params, expect);
    CHECK(model_find_tensor(&m, "rnn.weight_hh_l1") == TENSOR_W_HH(1) &&
          model_find_tensor(&m, "head.bias") == TENSOR_HEAD_B(2) &&
          model_find_tensor(&m, "nope") == -1, "tensor names found by name");
    Rng r;
    rng_seed(&r, 1);
    model_init(&m, &r, 0);
    float bound = 1.0f / sqrtf(8.0f), worst = 0.0f;
    for (size_t i = m.tensors[1].offset; i < m.n_params; i++)
        worst = fmaxf(worst, fabsf(m.params[i]));
    CHECK(worst <= bound && worst > 0.9f * bound, "init within +-1/sqrt(H): max %.4f", (double)worst);
    model_free(&m);
    CellType c;
    CHECK(cell_parse("gru", &c) == 0 && c == CELL_GRU && cell_parse("GRU", &c) == -1,
          "cell_parse");
}

int main(void)
{
    const char *cells[3] = { "lstm", "gru", "rnn" };
    for (int c = 0; c < 3; c++) {
        for (int threads = 1; threads <= 2; threads++) {
            test_fixture(cells[c], 1, "", threads);
            test_fixture(cells[c], 2, "", threads);
            test_fixture(cells[c], 2, "_table", threads);
        }
    }
    test_fixture("lstm", 3, "", 1);
    test_fixture("lstm", 3, "", 2);
    for (int c = 0; c < 3; c++) {
        test_dropout((CellType)c);
        test_dh_norms((CellType)c);
        test_gate_stats((CellType)c);
        test_nan_propagates((CellType)c);
        test_backward_probe((CellType)c, 0.0f);
        test_backward_probe((CellType)c, 0.5f);
        test_workspace_views((CellType)c);
        test_threads((CellType)c, 7, 11, 20); /* the packed recurrent product */
        test_threads((CellType)c, 3, 2, 9);   /* cblas (T < 4); a part with no stream */
    }
    for (CpuPath p = CPU_PATH_BEST; p < CPU_PATHS; p++)
        test_cell_math(p);
    test_config();
    return check_summary();
}
