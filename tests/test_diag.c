/* test_diag.c — the gradient inspector's core with known answers: on the
 * delayed-recall corpus a tanh RNN's gradient dies across the window while an
 * LSTM's survives; a learning rate 100x too high is reported as exploding; a
 * NaN in one parameter, or an overflow in the activations, is located (in the
 * order the forward made them, from the activations the step stored); the
 * decay probe agrees with model_backward where they must, and on demand equals
 * the probe the step ran; histograms add up; the loss history survives save
 * and resume. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "diag.h"
#include "trainer.h"

static char dir[512];

static void config(TrainConfig *c, const char *corpus, CellType cell)
{
    train_config_default(c);
    snprintf(c->corpus, sizeof c->corpus, "%s/../corpora/%s", dir, corpus);
    c->cell = cell;
    c->layers = 1;
    c->hidden = 32;
    c->embed = 16;
    c->batch = 8;
    c->seq = 32;
    c->threads = 1;
    c->eval_every = 0;
    c->dropout = 0;
}

/* decay at t-(T-1) over decay at t-0, for layer 0, after 8 steps */
static double recall_ratio(CellType cell)
{
    TrainConfig c;
    config(&c, "recall.txt", cell);
    c.forget_bias_one = cell == CELL_LSTM;
    Trainer t;
    Err err;
    if (trainer_init(&t, &c, &err) != 0) {
        printf("init: %s\n", err.msg);
        return NAN;
    }
    t.probe_every = 4;
    StepInfo s;
    for (int i = 0; i < 8; i++) {
        trainer_step(&t, &s, &err);
    }
    CHECK(s.decay_step == 5 && s.flow_len == 32 && s.flow_stride == 1,
          "%s: the decay probe ran at step 5 and covers all 32 positions (step %ld, len %d)", cell_name(cell),
          s.decay_step, s.flow_len);
    double r = s.decay[0] / s.decay[31];
    trainer_free(&t);
    return r;
}

static void check_recall_flow(void)
{
    double rnn = recall_ratio(CELL_RNN);
    double lstm = recall_ratio(CELL_LSTM);
    printf("NOTE gradient at t-31 over t-0: rnn %.3g, lstm (forget bias 1) %.3g\n", rnn, lstm);
    CHECK(rnn < 1e-6, "tanh rnn: the last position's gradient falls by over 6 orders across 32 steps (%.3g)", rnn);
    CHECK(lstm > 1e-5, "lstm: it keeps more than 1e-5 of its size (%.3g)", lstm);
    CHECK(lstm > 1e3 * rnn, "lstm keeps over 1000x more of the gradient than the rnn");
}

static void check_probe_matches_backward(CellType cell)
{
    /* At the last position only the last loss reaches h_{T-1} (of every layer),
     * so the probe's norm there is T times model_backward's (mean over T*B vs B). */
    TrainConfig c;
    config(&c, "lighthouse.txt", cell);
    c.layers = 2;
    c.seq = 12;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    t.probe_every = 1;
    StepInfo s;
    trainer_step(&t, &s, &err);
    trainer_step(&t, &s, &err);
    double worst = 0;
    for (int l = 0; l < 2; l++) {
        double a = s.decay[l * 12 + 11], b = 12.0 * s.flow[l * 12 + 11];
        double rel = fabs(a - b) / b;
        worst = rel > worst ? rel : worst;
    }
    CHECK(worst < 1e-4, "%s: probe at t-0 equals T x backward's dL/dh for both layers (rel err %.2g)",
          cell_name(cell), worst);
    trainer_free(&t);
}

static void check_nan_param(void)
{
    TrainConfig c;
    config(&c, "lighthouse.txt", CELL_GRU);
    c.layers = 2;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    StepInfo s;
    trainer_step(&t, &s, &err);
    int idx = model_find_tensor(&t.model, "rnn.weight_ih_l1");
    model_tensor(&t.model, idx)[17] = INFINITY;
    int rc = trainer_step(&t, &s, &err);
    CHECK(rc == ERR_RUNTIME && strstr(err.msg, "rnn.weight_ih_l1") && strstr(err.msg, "element 17"),
          "an Inf in one weight is located at that tensor and element: %s", err.msg);
    trainer_free(&t);
}

/* Parameters all finite but a NaN in the state carried into the chunk (layer 1,
 * stream 3): the cells' gate functions clamp their input, so a NaN reaches the
 * loss only through the gradient (dW_hh uses h0, lstm's df uses c0); the
 * report must still name the activation, not the gradient it poisoned. */
static void check_nan_activation(CellType cell)
{
    TrainConfig c;
    config(&c, "lighthouse.txt", cell);
    c.layers = 2;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    StepInfo s;
    trainer_step(&t, &s, &err);
    float *st = cell == CELL_LSTM ? t.state.c : t.state.h;
    st[(size_t)(1 * c.batch + 3) * c.hidden + 7] = NAN;
    int rc = trainer_step(&t, &s, &err);
    CHECK(rc == ERR_RUNTIME && strstr(err.msg, "layer 1 state carried in from the previous chunk, stream 3") &&
              strstr(err.msg, "every parameter is finite"),
          "%s: a NaN in the carried %s state is located at layer 1, stream 3: %s", cell_name(cell),
          cell == CELL_LSTM ? "cell" : "hidden", err.msg);
    CHECK(t.step == 1 && isnan(st[(size_t)(1 * c.batch + 3) * c.hidden + 7]),
          "%s: the step count and the carried state stay those before the failed step", cell_name(cell));
    trainer_free(&t);
}

/* The search reads the activations in the order the forward made them: the
 * carried-in state, the embedding output, layer by layer and step by step the
 * gates (rnn: none), cell and hidden state, then the logits. NaNs planted one
 * stage earlier at a time (the trainer checks parameters before calling it;
 * here NaN parameters are just a way to poison one stage) move the answer up. */
static void check_nonfinite_order(CellType cell)
{
    enum { T = 6, B = 4 };
    ModelConfig mc = {cell, 2, 5, 3, 7, 0.0f};
    Model m;
    Err err;
    model_new(&m, &mc, &err);
    Rng r;
    rng_seed(&r, 8);
    model_init(&m, &r, 0);
    int x[T * B];
    for (int i = 0; i < T * B; i++)
        x[i] = (int)rng_below(&r, 6); /* tokens 0..5 */
    const int hot = 4 * B + 2;        /* the first place of token 6 */
    x[hot] = x[hot + B + 1] = 6;
    Workspace *ws = workspace_new(&mc, T, B);
    State s;
    state_init(&s, &mc, B);
    char where[160] = "", want[4][96];
    CHECK(diag_nonfinite_activation(ws, &mc, where, sizeof where) == 0, "%s: before any forward nothing is found",
          cell_name(cell));
    model_forward(&m, ws, x, NULL, T, B, &s, 0, NULL);
    CHECK(diag_nonfinite_activation(ws, &mc, where, sizeof where) == 0, "%s: a finite forward has none",
          cell_name(cell));
    snprintf(want[0], sizeof want[0], "logits at t=0, stream 0");
    snprintf(want[1], sizeof want[1], "layer 1 %s at t=0, stream 0", cell == CELL_RNN ? "hidden state" : "gates");
    snprintf(want[2], sizeof want[2], "embedding output at t=%d, stream %d", hot / B, hot % B);
    snprintf(want[3], sizeof want[3], "layer 1 state carried in from the previous chunk, stream 3");
    for (int k = 0; k < 4; k++) {
        if (k == 0)
            model_tensor(&m, TENSOR_HEAD_B(2))[3] = NAN;
        if (k == 1)
            model_tensor(&m, TENSOR_W_IH(1))[0] = NAN;
        if (k == 2)
            model_tensor(&m, TENSOR_EMBEDDING)[6 * mc.embed + 1] = NAN;
        state_zero(&s);
        if (k == 3)
            s.h[(size_t)(1 * B + 3) * mc.hidden + 2] = NAN;
        model_forward(&m, ws, x, NULL, T, B, &s, 0, NULL);
        int found = diag_nonfinite_activation(ws, &mc, where, sizeof where);
        CHECK(found && strcmp(where, want[k]) == 0, "%s: the first non-finite activation is the %s (%s)",
              cell_name(cell), want[k], found ? where : "none found");
    }
    state_free(&s);
    workspace_free(ws);
    model_free(&m);
}

/* The probe on demand reads the workspace the step left and the parameters
 * that chunk ran with (those before the update): bit for bit the probe the
 * step itself ran before its update. */
static void check_probe_on_demand(void)
{
    TrainConfig c;
    config(&c, "lighthouse.txt", CELL_LSTM);
    c.layers = 2;
    c.dropout = 0.3f;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    CHECK(trainer_probe(&t, &err) == ERR_INPUT && strstr(err.msg, "run a training step first"),
          "before the first step the probe asks for one: %s", err.msg);
    t.probe_every = 1;
    StepInfo s;
    trainer_step(&t, &s, &err);
    trainer_step(&t, &s, &err);
    size_t n = (size_t)c.layers * c.seq;
    float *in_step = xmalloc(n * sizeof *in_step);
    memcpy(in_step, t.decay, n * sizeof *in_step);
    size_t nb = t.model.n_params * sizeof(float);
    float *grads = xmalloc(nb);
    memcpy(grads, t.model.grads, nb);
    int rc = trainer_probe(&t, &err);
    CHECK(rc == 0 && t.decay_step == 2 && memcmp(in_step, t.decay, n * sizeof *in_step) == 0,
          "lstm with dropout: trainer_probe after step 2 equals the probe step 2 ran before its update");
    CHECK(memcmp(grads, t.model.grads, nb) == 0, "and leaves the gradients of the step alone");
    /* activation histograms read the same stored chunk */
    Histogram h;
    trainer_histogram(&t, "act:h.1", 20, &h, &err);
    int T, B;
    workspace_chunk(t.ws, &T, &B);
    const float *h1 = workspace_layer_h(t.ws, 1) + (size_t)B * c.hidden;
    double sum = 0;
    for (size_t i = 0; i < (size_t)T * B * c.hidden; i++)
        sum += h1[i];
    CHECK(h.sum == sum && h.count == (long)T * B * c.hidden,
          "act:h.1 is the histogram of the hidden states the step's forward stored (sum %.6g vs %.6g)", h.sum, sum);
    CHECK(trainer_histogram(&t, "act:c.2", 20, &h, &err) == ERR_INPUT && strstr(err.msg, "act:c.2"),
          "a layer that does not exist is named: %s", err.msg);
    free(in_step);
    free(grads);
    trainer_free(&t);
}

static void check_histograms(void)
{
    TrainConfig c;
    config(&c, "lighthouse.txt", CELL_LSTM);
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    StepInfo s;
    trainer_step(&t, &s, &err);
    const char *names[] = {"rnn.weight_hh_l0", "grad:head.weight", "embedding.weight", "act:h.0", "act:gates.0"};
    size_t sizes[] = {t.model.tensors[TENSOR_W_HH(0)].size, t.model.tensors[TENSOR_HEAD_W(1)].size,
                      t.model.tensors[0].size, (size_t)c.seq * c.batch * c.hidden,
                      (size_t)c.seq * c.batch * c.hidden * 4};
    for (int k = 0; k < 5; k++) {
        Histogram h;
        int rc = trainer_histogram(&t, names[k], 30, &h, &err);
        long sum = 0;
        for (int i = 0; i < h.n_bins; i++)
            sum += h.bins[i];
        CHECK(rc == 0 && sum == (long)sizes[k] && h.count == sum && h.n_bins == 30,
              "histogram of %s: 30 bins whose counts add up to its %zu elements (%ld)", names[k], sizes[k], sum);
    }
    Histogram h;
    CHECK(trainer_histogram(&t, "rnn.nope", 10, &h, &err) == ERR_INPUT && strstr(err.msg, "rnn.nope"),
          "an unknown tensor is named: %s", err.msg);
    float v[7] = {0, 1, 2, 3, 4, NAN, INFINITY};
    diag_histogram(v, 7, 4, &h);
    CHECK(h.count == 5 && h.n_nonfinite == 2 && h.bins[0] == 1 && h.bins[1] == 1 && h.bins[2] == 1 &&
              h.bins[3] == 2 && h.min == 0 && h.max == 4 && h.sum == 10 && h.sum_sq == 30,
          "a hand-made histogram: bins 1,1,1,2 over [0,4], two non-finite values set aside");
    CHECK(fabs(diag_hist_edge(&h, 0) - 1.0) < 1e-12 && diag_hist_edge(&h, 3) == 4.0, "bin edges 1 .. 4");
    trainer_free(&t);
}

/* The run's record: every step and validation pass, saved and restored in
 * full (the losses at full resolution, the gradient norms, the clip count),
 * and readable on its own for :compare. */
static void check_history(void)
{
    TrainConfig c;
    config(&c, "lighthouse.txt", CELL_LSTM);
    c.eval_every = 3;
    c.eval_chunks = 2;
    c.clip = 1e-3f; /* every step clips */
    Trainer t, r;
    Err err;
    trainer_init(&t, &c, &err);
    StepInfo s;
    float losses[7], norms[7];
    int clips = 0;
    for (int i = 0; i < 7; i++) {
        trainer_step(&t, &s, &err);
        losses[i] = s.loss;
        norms[i] = s.grad_norms[TENSOR_HEAD_W(c.layers)];
        clips += s.clipped;
    }
    float extra;
    trainer_eval(&t, &extra, &err);
    CHECK(t.history.n_steps == 7 && t.history.n_val == 3 && t.history.val_step[1] == 6 && t.history.val_step[2] == 7 &&
              t.history.val_loss[2] == extra && t.have_last && t.last.step == 7,
          "the trainer records 7 steps, 2 evaluations during steps and one on demand at step 7");
    char tmp[] = "/tmp/rnnscope_hist_XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    trainer_save(&t, tmp, &err);
    int rc = trainer_resume(&r, tmp, &c, NULL, &err);
    int same = rc == 0 && r.history.n_steps == 7 && r.history.n_recent == 7 && r.history.clip_count == clips &&
               r.history.n_val == 3 && r.history.val_loss[2] == extra;
    for (int i = 0; same && i < 7; i++) {
        const HistRecent *h = history_recent(&r.history, 6 - i);
        same = h->step == i + 1 && h->loss == losses[i] && h->grad_norms[TENSOR_HEAD_W(c.layers)] == norms[i];
    }
    CHECK(same && clips > 0, "the record comes back on resume: 7 losses, gradient norms, %d clips, 3 validations (%s)",
          clips, rc ? err.msg : "ok");
    if (rc == 0) {
        trainer_step(&r, &s, &err);
        CHECK(r.history.n_steps == 8 && history_recent(&r.history, 0)->step == 8 && history_recent(&r.history, 1)->step == 7,
              "the resumed run appends step 8 after the restored 7");
        trainer_free(&r);
    }
    History only;
    history_init(&only);
    rc = history_read_file(&only, tmp, &err);
    double x[16], y[16];
    int n = rc == 0 ? history_series(&only, HIST_LOSS, 0, x, y, 16) : 0;
    CHECK(rc == 0 && n == 7 && x[0] == 1 && (float)y[6] == losses[6], "a saved run's record reads back for comparison");
    history_free(&only);
    trainer_free(&t);
    unlink(tmp);
}

/* A record read from an older version's loss history (no lr, no gradient
 * norms: NaN), continued and saved, loads again. */
static void check_history_legacy_roundtrip(void)
{
    char path[] = "/tmp/rnnscope-legacy-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    StWriter *w = st_writer_new();
    float losses[3] = {3.0f, 2.5f, 2.0f};
    int64_t shape[1] = {3};
    st_add_f32(w, "hist.loss", losses, 1, shape);
    st_add_meta(w, "hist.stride", "2");
    st_add_meta(w, "hist.acc", "1.5");
    st_add_meta(w, "hist.acc_n", "1");
    Err err;
    st_writer_save(w, path, &err);
    st_writer_free(w);
    History h;
    history_init(&h);
    int rc = history_read_file(&h, path, &err);
    CHECK(rc == 0 && h.n_steps == 7 && h.n_coarse == 4 && history_latest_step(&h) == 7,
          "a legacy loss history (3 means of 2 steps, 1 pending) reads as 7 steps (%s)", rc ? err.msg : "ok");
    StepInfo s;
    memset(&s, 0, sizeof s);
    s.step = 8;
    s.loss = 1.9f;
    s.lr = 1e-3f;
    s.n_tensors = 3;
    history_push(&h, &s);
    w = st_writer_new();
    history_save(&h, w);
    st_writer_save(w, path, &err);
    st_writer_free(w);
    History back;
    history_init(&back);
    rc = history_read_file(&back, path, &err);
    CHECK(rc == 0 && back.n_steps == 8 && history_latest_step(&back) == 8,
          "continued and saved, it loads again (%s)", rc ? err.msg : "ok");
    history_free(&back);
    history_free(&h);
    unlink(path);
}

/* Save a record with one metadata key or tensor replaced. */
static int save_damaged(const char *path, const char *key, const char *value, const char *tensor, const double *row,
                        int cols)
{
    History h;
    history_init(&h);
    StepInfo s;
    memset(&s, 0, sizeof s);
    s.n_tensors = 3;
    s.n_layers = 0;
    for (int i = 1; i <= 5; i++) {
        s.step = i;
        s.loss = 3.0f - 0.1f * i;
        s.evaluated = i == 4;
        s.val_loss = 2.5f;
        history_push(&h, &s);
    }
    StWriter *w = st_writer_new();
    history_save(&h, w);
    StWriter *out = st_writer_new();
    history_free(&h);
    /* rewrite: the same entries, one replaced (the writer keeps the first of a name) */
    if (key)
        st_add_meta(out, key, value);
    if (tensor) {
        int64_t shape[2] = {1, cols};
        st_add_raw(out, tensor, ST_F64, row, 2, shape);
    }
    Err err;
    int rc = st_writer_save(w, path, &err);
    st_writer_free(w);
    if (rc) {
        st_writer_free(out);
        return rc;
    }
    StFile f;
    rc = st_read(&f, path, &err);
    for (int i = 0; rc == 0 && i < f.n_meta; i++)
        if (!key || strcmp(f.meta_keys[i], key) != 0)
            st_add_meta(out, f.meta_keys[i], f.meta_values[i]);
    for (int i = 0; rc == 0 && i < f.n_tensors; i++) {
        const StTensor *tt = &f.tensors[i];
        if (tensor && !strcmp(tt->name, tensor))
            continue;
        st_add_raw(out, tt->name, tt->dtype, tt->data, tt->ndim, tt->shape);
    }
    st_free(&f);
    rc = rc ? rc : st_writer_save(out, path, &err);
    st_writer_free(out);
    return rc;
}

/* Numbers read from a file are checked before they become steps: a NaN, huge
 * or negative step, a count that does not add up, an unknown format, or a
 * damaged legacy stride is one error naming what, never a cast. */
static void check_history_damage(void)
{
    const char *steps[] = {"nan", "1e30", "-5"};
    for (int k = 0; k < 3; k++) {
        char path[] = "/tmp/rnnscope-hist-XXXXXX";
        int fd = mkstemp(path);
        close(fd);
        StWriter *w = st_writer_new();
        float pair[2] = {strtof(steps[k], NULL), 2.0f};
        int64_t shape[2] = {1, 2};
        st_add_f32(w, "hist.val", pair, 2, shape);
        st_add_meta(w, "hist.stride", "1");
        st_add_meta(w, "hist.acc", "0");
        st_add_meta(w, "hist.acc_n", "0");
        Err err;
        st_writer_save(w, path, &err);
        st_writer_free(w);
        History h;
        history_init(&h);
        int rc = history_read_file(&h, path, &err);
        CHECK(rc == ERR_INPUT && strstr(err.msg, "hist.val"), "legacy hist.val step %s: refused (%s)", steps[k],
              rc ? err.msg : "accepted");
        history_free(&h);
        unlink(path);
    }
    struct {
        const char *key, *value, *tensor;
        double row[8];
        int cols;
        const char *names;
    } cases[] = {
        {"record.n_steps", "4", NULL, {0}, 0, "record.coarse"},
        {"record.n_steps", "-1", NULL, {0}, 0, "record.n_steps"},
        {"record.clip_count", "9", NULL, {0}, 0, "record.clip_count"},
        {"record.format", "7", NULL, {0}, 0, "record.format"},
        {"record.n_tensors", "999", NULL, {0}, 0, "record.n_tensors"},
        {NULL, NULL, "record.val", {NAN, 1}, 2, "record.val"},
        {NULL, NULL, "record.val", {3, INFINITY}, 2, "record.val"},
        {NULL, NULL, "record.coarse", {1e30, 1, 1, 1, 0, 5}, 6, "record.coarse"},
        {NULL, NULL, "record.coarse", {5, 1, 1, 1, 7, 5}, 6, "record.coarse"},
        {NULL, NULL, "record.recent", {2.5, 1, 1, 1, 0, 1, 1, 1}, 8, "record.recent"},
        {NULL, NULL, "record.recent", {1, 1, 1, 1, 3, 1, 1, 1}, 8, "record.recent"},
        {"record.clip_count", "1", NULL, {0}, 0, "clipped steps"},
        {NULL, NULL, "record.recent", {3, 1, 1, 1, 0, 1, 1, 1}, 8, "disagree"},
        {NULL, NULL, "record.val", {9, 2.5}, 2, "disagree on the steps"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char path[] = "/tmp/rnnscope-rec-XXXXXX";
        int fd = mkstemp(path);
        close(fd);
        int rc = save_damaged(path, cases[k].key, cases[k].value, cases[k].tensor, cases[k].row, cases[k].cols);
        Err err;
        History h;
        history_init(&h);
        if (rc == 0)
            rc = history_read_file(&h, path, &err);
        CHECK(rc == ERR_INPUT && strstr(err.msg, cases[k].names) && h.n_steps == 0,
              "damaged record (%s): one error naming %s, nothing kept (%s)",
              cases[k].key ? cases[k].key : cases[k].tensor, cases[k].names, rc ? err.msg : "accepted");
        history_free(&h);
        unlink(path);
    }
}

int main(void)
{
    check_history_damage();
    check_history_legacy_roundtrip();
    const char *d = getenv("RNNSCOPE_TESTS");
    snprintf(dir, sizeof dir, "%s", d ? d : "tests");
    check_recall_flow();
    check_probe_matches_backward(CELL_LSTM);
    check_probe_matches_backward(CELL_GRU);
    check_probe_matches_backward(CELL_RNN);
    check_nan_param();
    check_nan_activation(CELL_RNN);
    check_nan_activation(CELL_LSTM);
    check_nonfinite_order(CELL_LSTM);
    check_nonfinite_order(CELL_GRU);
    check_nonfinite_order(CELL_RNN);
    check_probe_on_demand();
    check_histograms();
    check_history();
    return check_summary();
}
