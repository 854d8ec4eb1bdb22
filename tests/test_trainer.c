/* test_trainer.c — the trainer as a whole: bit-identical runs for a seed,
 * exact resume (the losses after resuming are those of an uninterrupted run),
 * no allocation inside a step, non-finite values located and the parameters
 * kept, clipping reported, bad settings refused with the flag named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "checkpoint.h"
#include "trainer.h"

/* ---- counting allocations (not under the sanitizers, which own malloc) ---- */
#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNT_ALLOCS 0
#endif
#endif
#ifndef COUNT_ALLOCS
#define COUNT_ALLOCS 1
#endif

#if COUNT_ALLOCS
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile int counting;
static volatile long n_allocs;
void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void free(void *p);
void *malloc(size_t n)
{
    if (counting)
        n_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting)
        n_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        n_allocs++;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    __libc_free(p);
}
#endif

static char corpus_path[1024];

static void small_config(TrainConfig *c)
{
    train_config_default(c);
    snprintf(c->corpus, sizeof c->corpus, "%s", corpus_path);
    c->layers = 2;
    c->hidden = 32;
    c->embed = 16;
    c->batch = 8;
    c->seq = 16;
    c->threads = 1;
    c->eval_every = 5;
    c->eval_chunks = 3;
    c->dropout = 0.25f;
    c->steps = 12;
}

static int run_steps(Trainer *t, int n, float *losses, float *vals)
{
    Err err;
    for (int i = 0; i < n; i++) {
        StepInfo s;
        if (trainer_step(t, &s, &err) != 0) {
            printf("step failed: %s\n", err.msg);
            return -1;
        }
        losses[i] = s.loss;
        vals[i] = s.evaluated ? s.val_loss : -1.0f;
    }
    return 0;
}

static void check_determinism_and_resume(OptimType opt, CellType cell, int threads)
{
    TrainConfig c;
    small_config(&c);
    c.optim = opt;
    c.cell = cell;
    c.threads = threads;
    if (opt == OPTIM_SGD) {
        c.momentum = 0.9f;
        c.nesterov = 1;
        c.lr = 0.05f;
    }
    char name[64];
    snprintf(name, sizeof name, "%s, %d thread%s", optim_name(opt), threads, threads > 1 ? "s" : "");
    Err err;
    Trainer a, b;
    float la[12], va[12], lb[12], vb[12];
    if (!CHECK(trainer_init(&a, &c, &err) == 0, "%s/%s: trainer starts (%s)", cell_name(cell), name, err.msg))
        return;
    run_steps(&a, 12, la, va);
    trainer_free(&a);

    /* the same run again, bit for bit */
    trainer_init(&b, &c, &err);
    run_steps(&b, 12, lb, vb);
    trainer_free(&b);
    CHECK(memcmp(la, lb, sizeof la) == 0 && memcmp(va, vb, sizeof va) == 0,
          "%s/%s: same seed and flags give bit-identical losses", cell_name(cell), name);

    /* 7 steps, save, resume, 5 more: the same 12 losses */
    char tmp[] = "/tmp/rnnscope_run_XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    trainer_init(&b, &c, &err);
    run_steps(&b, 7, lb, vb);
    CHECK(trainer_save(&b, tmp, &err) == 0, "%s/%s: run saves", cell_name(cell), name);
    trainer_free(&b);
    Trainer r;
    if (CHECK(trainer_resume(&r, tmp, &c, NULL, &err) == 0, "%s/%s: run resumes (%s)", cell_name(cell), name, err.msg)) {
        CHECK(r.step == 7, "%s/%s: resumed at step 7", cell_name(cell), name);
        run_steps(&r, 5, lb + 7, vb + 7);
        CHECK(memcmp(la, lb, sizeof la) == 0 && memcmp(va, vb, sizeof va) == 0,
              "%s/%s: losses after resuming equal the uninterrupted run's (step 12: %.7f vs %.7f)",
              cell_name(cell), name, (double)la[11], (double)lb[11]);
        trainer_free(&r);
    }
    unlink(tmp);
}

/* The same run on 1 and on 2 threads: the losses agree to float rounding
 * (the parallel step computes the same sums, split differently by OpenBLAS). */
static void check_threads_agree(CellType cell)
{
    TrainConfig c;
    small_config(&c);
    c.cell = cell;
    Err err;
    Trainer a, b;
    float la[12], va[12], lb[12], vb[12];
    if (trainer_init(&a, &c, &err) != 0)
        return;
    run_steps(&a, 12, la, va);
    trainer_free(&a);
    c.threads = 2;
    if (!CHECK(trainer_init(&b, &c, &err) == 0, "%s: trainer starts on 2 threads (%s)", cell_name(cell), err.msg))
        return;
    CHECK(workspace_threads(b.ws) == 2, "%s: --threads 2 gives the workspace a pool of 2", cell_name(cell));
    run_steps(&b, 12, lb, vb);
    trainer_free(&b);
    double worst = 0;
    for (int i = 0; i < 12; i++) {
        worst = fmax(worst, fabs((double)la[i] - lb[i]) / fabs((double)la[i]));
        if (va[i] >= 0 || vb[i] >= 0)
            worst = fmax(worst, fabs((double)va[i] - vb[i]) / fabs((double)va[i]));
    }
    CHECK(worst <= 1e-5, "%s: 12 steps on 2 threads match 1 thread's losses and validation losses "
          "(worst relative difference %.1e <= 1e-5)", cell_name(cell), worst);
}

static void check_no_allocation(int threads)
{
#if COUNT_ALLOCS
    TrainConfig c;
    small_config(&c);
    c.threads = threads;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    float l[3], v[3];
    run_steps(&t, 3, l, v); /* warm up */
    c.eval_every = 0;
    t.cfg.eval_every = 0;
    t.probe_every = 1; /* the decay probe runs inside these steps too */
    StepInfo s;
    n_allocs = 0;
    counting = 1;
    for (int i = 0; i < 5; i++)
        trainer_step(&t, &s, &err);
    counting = 0;
    CHECK(n_allocs == 0, "no allocation inside 5 training steps with the decay probe, %d thread(s) (%ld counted)",
          threads, n_allocs);
    trainer_free(&t);
#else
    (void)threads;
    printf("NOTE allocation counting skipped under the sanitizers\n");
#endif
}

static void check_nonfinite(void)
{
    TrainConfig c;
    small_config(&c);
    c.dropout = 0;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    float l[2], v[2];
    run_steps(&t, 2, l, v);
    int idx = model_find_tensor(&t.model, "rnn.weight_hh_l1");
    float *w = model_tensor(&t.model, idx);
    w[5] = NAN;
    float *copy = xmalloc(sizeof(float) * t.model.n_params);
    memcpy(copy, t.model.params, sizeof(float) * t.model.n_params);
    StepInfo s;
    int rc = trainer_step(&t, &s, &err);
    CHECK(rc == ERR_RUNTIME, "a NaN weight stops the step");
    CHECK(strstr(err.msg, "rnn.weight_hh_l1") && strstr(err.msg, "element 5"),
          "the message names the tensor and element: %s", err.msg);
    CHECK(memcmp(copy, t.model.params, sizeof(float) * t.model.n_params) == 0 && t.step == 2,
          "parameters and step count are those of the last good step");
    free(copy);
    trainer_free(&t);
}

static void check_clipping(void)
{
    TrainConfig c;
    small_config(&c);
    c.clip = 1e-3f;
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    StepInfo s;
    trainer_step(&t, &s, &err);
    CHECK(s.clipped == 1 && s.grad_norm > 1e-3f, "clipping fires and reports the norm before it (%g)",
          (double)s.grad_norm);
    double sum = 0;
    for (int i = 0; i < s.n_tensors; i++)
        sum += (double)s.grad_norms[i] * s.grad_norms[i];
    CHECK(fabs(sqrt(sum) - s.grad_norm) <= 1e-4 * s.grad_norm, "per-tensor norms add up to the global norm");
    trainer_free(&t);
    small_config(&c);
    c.clip = 0;
    c.clip_value = 1e-4f;
    trainer_init(&t, &c, &err);
    trainer_step(&t, &s, &err);
    CHECK(s.n_clamped > 0 && s.clipped == 0, "element-wise clipping counts clamped elements (%ld)", s.n_clamped);
    trainer_free(&t);
}

static void check_bad_settings(void)
{
    TrainConfig c;
    small_config(&c);
    c.batch = 4000;
    c.seq = 100;
    Trainer t;
    Err err;
    CHECK(trainer_init(&t, &c, &err) == ERR_INPUT && strstr(err.msg, "--batch") && strstr(err.msg, "--seq"),
          "a corpus too short for the batch names the flags to lower: %s", err.msg);
    small_config(&c);
    CHECK(train_config_set(&c, "lr", "abc", &err) == ERR_INPUT && strstr(err.msg, "--lr"), "non-numeric --lr: %s",
          err.msg);
    CHECK(train_config_set(&c, "layers", "0", &err) == ERR_INPUT && strstr(err.msg, "out of range"),
          "out-of-range --layers: %s", err.msg);
    CHECK(train_config_set(&c, "cell", "transformer", &err) == ERR_INPUT, "unknown --cell: %s", err.msg);

    /* resume with another cell type */
    small_config(&c);
    char tmp[] = "/tmp/rnnscope_run_XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    trainer_init(&t, &c, &err);
    trainer_save(&t, tmp, &err);
    trainer_free(&t);
    int over[64] = {0};
    TrainConfig g = c;
    g.cell = CELL_GRU;
    for (int i = 0; i < train_config_n_fields(); i++)
        if (!strcmp(train_config_field(i)->name, "cell"))
            over[i] = 1;
    CHECK(trainer_resume(&t, tmp, &g, over, &err) == ERR_INPUT && strstr(err.msg, "--cell"),
          "resuming with another cell is refused: %s", err.msg);
    unlink(tmp);
}

static void check_model_only_resume(void)
{
    TrainConfig c;
    small_config(&c);
    Trainer t;
    Err err;
    trainer_init(&t, &c, &err);
    char tmp[] = "/tmp/rnnscope_model_XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    checkpoint_save_model(tmp, &t.model, &t.corpus.tok, &err);
    Trainer r;
    int rc = trainer_resume(&r, tmp, &c, NULL, &err);
    CHECK(rc == 0, "a model-only checkpoint starts a run (%s)", err.msg);
    if (rc == 0) {
        CHECK(r.step == 0 && memcmp(r.model.params, t.model.params, sizeof(float) * t.model.n_params) == 0,
              "from step 0 with those weights");
        trainer_free(&r);
    }
    trainer_free(&t);
    unlink(tmp);
}

int main(void)
{
    const char *dir = getenv("RNNSCOPE_TESTS");
    snprintf(corpus_path, sizeof corpus_path, "%s/../corpora/lighthouse.txt", dir ? dir : "tests");
    check_determinism_and_resume(OPTIM_ADAM, CELL_LSTM, 1);
    check_determinism_and_resume(OPTIM_SGD, CELL_GRU, 1);
    check_determinism_and_resume(OPTIM_RMSPROP, CELL_RNN, 1);
    check_determinism_and_resume(OPTIM_ADAGRAD, CELL_LSTM, 1);
    check_determinism_and_resume(OPTIM_ADAMW, CELL_LSTM, 1);
    check_determinism_and_resume(OPTIM_ADAM, CELL_LSTM, 2);
    check_determinism_and_resume(OPTIM_SGD, CELL_GRU, 2);
    check_determinism_and_resume(OPTIM_RMSPROP, CELL_RNN, 2);
    check_threads_agree(CELL_LSTM);
    check_threads_agree(CELL_GRU);
    check_threads_agree(CELL_RNN);
    check_no_allocation(1);
    check_no_allocation(2);
    check_nonfinite();
    check_clipping();
    check_bad_settings();
    check_model_only_resume();
    return check_summary();
}
