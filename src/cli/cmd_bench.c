/* cmd_bench.c — `rnnscope bench`: training speed, achieved GFLOP/s and peak
 * memory of a model at one or more hidden sizes, beside the sgemm GFLOP/s
 * OpenBLAS reaches on a large square product on this machine. The model is
 * the reference char LSTM (V=65 on tiny-shakespeare, E=64, 2 layers, B=50,
 * T=50, Adam, clip 5) unless training settings (--cell, --layers, --embed,
 * --batch, --seq, --tokenizer, --max-vocab, --optim, --lr, --clip) say
 * otherwise; they are parsed by the training-settings table (train_config.h).
 *
 * Each measurement runs in its own child process so that peak RSS belongs to
 * one configuration; the parent never touches OpenBLAS (forking after its
 * threads exist is unsafe). scripts/dev/bench.sh runs this beside the PyTorch
 * reference (scripts/dev/torch_reference.py) and prints the tables.
 */
#include <cblas.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "cpu.h"
#include "flags.h"
#include "progress.h"
#include "trainer.h"

typedef struct {
    int steps, warmup, threads, json;
    int sgemm_n;     /* the reference product's size (0: none) */
    double seconds;  /* with steps 0: time about this long (0: 100 steps up to H=256, else 20) */
    int step_only;   /* 1: skip the inspector-overhead steps and the probe */
    const char *corpus;
    const TrainConfig *recipe; /* the model, optimizer and corpus; hidden and threads set per run */
} BenchOpts;

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

/* Multiply-adds of one token through the model, times 2 (FLOPs), forward
 * only; backward does two GEMMs per forward GEMM, so a step is 3x this. */
static double forward_flops_per_token(const ModelConfig *c)
{
    double G = cell_gates(c->cell), H = c->hidden, f = 0;
    for (int k = 0; k < c->layers; k++) {
        double in = k == 0 ? c->embed : H;
        f += 2 * G * H * (in + H);
    }
    return f + 2.0 * c->vocab * H;
}

static int bench_sgemm(const BenchOpts *o)
{
    int n = o->sgemm_n;
    openblas_set_num_threads(o->threads);
    float *a = xmalloc(sizeof(float) * n * n), *b = xmalloc(sizeof(float) * n * n),
          *c = xmalloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) {
        a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    }
    double best = 0;
    for (int r = 0; r < 4; r++) {
        double t0 = progress_now_s();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = progress_now_s() - t0;
        double gf = 2.0 * n * n * (double)n / dt / 1e9;
        if (r > 0 && gf > best) /* the first run warms caches and threads */
            best = gf;
    }
    if (o->json)
        printf("{\"kind\":\"sgemm\",\"n\":%d,\"threads\":%d,\"gflops\":%.2f,\"core\":\"%s\",\"config\":\"%s\","
               "\"avx2_fma\":%d,\"avx512\":%d}\n", n, o->threads, best, openblas_get_corename(),
               openblas_get_config(), cpu_has_avx2_fma(), cpu_has_avx512());
    else
        printf("sgemm %dx%d, %d thread(s), OpenBLAS %s kernels: %.1f GFLOP/s\n", n, n, o->threads,
               openblas_get_corename(), best);
    free(a);
    free(b);
    free(c);
    return 0;
}

/* Steps to time: --steps, or enough for about --seconds at the warm-up's
 * pace, or the fixed counts of a bench without either. */
static int timed_steps(const BenchOpts *o, int hidden, double warm_step_s)
{
    if (o->steps > 0)
        return o->steps;
    if (o->seconds <= 0)
        return hidden <= 256 ? 100 : 20;
    double n = warm_step_s > 0 ? ceil(o->seconds / warm_step_s) : 100;
    return n < 2 ? 2 : n > 100000 ? 100000 : (int)n;
}

/* The inspector's cost in % of a step: the mean step time with its per-step
 * diagnostics on and off, interleaved in blocks of 10 so that drift (clocks,
 * caches) hits both alike, plus the decay probe amortised over the steps
 * between two probes (it is timed on its own: a block of 10 rarely meets one). */
static int inspector_overhead(Trainer *t, int steps, double *diag_pct, double *probe_s, Err *err)
{
    StepInfo info;
    double on_s = 0, off_s = 0;
    long on_n = 0, off_n = 0;
    int probe_every = t->probe_every;
    t->probe_every = 0;
    for (int i = 0; i < steps; i++) {
        t->diag_off = (i / 10) % 2;
        double t1 = progress_now_s();
        if (trainer_step(t, &info, err) != 0)
            return 1;
        double d = progress_now_s() - t1;
        if (t->diag_off) {
            off_s += d;
            off_n++;
        } else {
            on_s += d;
            on_n++;
        }
    }
    t->diag_off = 0;
    t->probe_every = probe_every;
    *probe_s = 0;
    for (int i = 0; i < 3; i++) {
        double t1 = progress_now_s();
        if (trainer_probe(t, err) != 0)
            return 1;
        *probe_s += (progress_now_s() - t1) / 3;
    }
    double off_mean = off_n ? off_s / off_n : 0, on_mean = on_n ? on_s / on_n : 0;
    double probe_share = probe_every > 0 ? *probe_s / probe_every : 0;
    *diag_pct = off_mean > 0 ? 100.0 * (on_mean - off_mean + probe_share) / off_mean : 0;
    return 0;
}

static int bench_model(const BenchOpts *o, int hidden)
{
    TrainConfig cfg = *o->recipe;
    cfg.hidden = hidden;
    cfg.threads = o->threads;
    cfg.eval_every = 0;
    cfg.steps = 0;
    Trainer t;
    Err err;
    if (trainer_init(&t, &cfg, &err) != 0)
        return report(&err);
    StepInfo info;
    /* The warm-up's steps after the first (page faults, thread start) give
     * the pace; with --seconds, a model whose first two steps already took
     * that long is warm after two. */
    double warm_s = 0, warm0 = progress_now_s();
    int warm = 0;
    for (int i = 0; i < o->warmup; i++) {
        if (i == 2 && o->steps == 0 && o->seconds > 0 && progress_now_s() - warm0 > o->seconds)
            break;
        double t1 = progress_now_s();
        if (trainer_step(&t, &info, &err) != 0)
            return report(&err);
        if (i > 0)
            warm_s += progress_now_s() - t1;
        warm = i + 1;
    }
    int steps = timed_steps(o, hidden, warm > 1 ? warm_s / (warm - 1) : 0);
    struct mallinfo2 before = mallinfo2();
    double t0 = progress_now_s();
    double loss = 0;
    for (int i = 0; i < steps; i++) {
        if (trainer_step(&t, &info, &err) != 0)
            return report(&err);
        loss = info.loss;
    }
    double dt = progress_now_s() - t0;
    struct mallinfo2 after = mallinfo2();
    double diag_pct = 0, probe_s = 0;
    if (!o->step_only && inspector_overhead(&t, steps, &diag_pct, &probe_s, &err) != 0)
        return report(&err);
    const ModelConfig *mc = &t.model.cfg;
    double tokens = (double)steps * cfg.batch * cfg.seq;
    double tps = tokens / dt;
    double fwd = forward_flops_per_token(mc);
    double gflops = 3.0 * fwd * tps / 1e9;
    double math_mb = trainer_math_bytes(&t) / (1024.0 * 1024.0);
    double rss = peak_rss_mb();
    long heap_delta = (long)after.uordblks - (long)before.uordblks;
    if (o->json)
        printf("{\"kind\":\"model\",\"hidden\":%d,\"vocab\":%d,\"params\":%zu,\"threads\":%d,\"steps\":%d,"
               "\"tokens_per_s\":%.1f,\"ms_per_step\":%.2f,\"gflops\":%.2f,\"peak_rss_mb\":%.1f,"
               "\"math_mb\":%.1f,\"heap_growth_bytes\":%ld,\"last_loss\":%.4f,\"diag_overhead_pct\":%.2f,"
               "\"probe_ms\":%.2f,\"cell\":\"%s\",\"layers\":%d,\"embed\":%d,\"batch\":%d,\"seq\":%d,"
               "\"tokenizer\":\"%s\",\"optim\":\"%s\",\"fwd_flops_per_token\":%.0f}\n",
               hidden, mc->vocab, t.model.n_params, o->threads, steps, tps, dt * 1e3 / steps, gflops, rss, math_mb,
               heap_delta, loss, diag_pct, probe_s * 1e3, cell_name(mc->cell), mc->layers, mc->embed, cfg.batch,
               cfg.seq, tok_name(cfg.tokenizer), optim_name(cfg.optim), fwd);
    else {
        printf("%s %dx%d E=%d V=%d B=%d T=%d %s, params %zu: %.0f tokens/s, %.1f ms/step, %.1f GFLOP/s, peak RSS "
               "%.1f MB (maths %.1f MB), heap growth during steps %ld bytes",
               cell_name(mc->cell), mc->layers, hidden, mc->embed, mc->vocab, cfg.batch, cfg.seq,
               optim_name(cfg.optim), t.model.n_params, tps, dt * 1e3 / steps, gflops, rss, math_mb, heap_delta);
        if (!o->step_only)
            printf("; diagnostics add %.1f%% to the step (decay probe %.1f ms every %d steps)", diag_pct,
                   probe_s * 1e3, t.probe_every);
        printf("\n");
    }
    trainer_free(&t);
    return 0;
}

/* Run fn in a child process and wait for it. */
static int in_child(int (*fn)(const BenchOpts *, int), const BenchOpts *o, int arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        int rc = fn(o, arg);
        fflush(stdout);
        _exit(rc);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return 1;
    return WEXITSTATUS(status);
}

static int sgemm_adapter(const BenchOpts *o, int unused)
{
    (void)unused;
    return bench_sgemm(o);
}

/* The training settings a bench takes: the model's shape and its optimizer.
 * The rest (steps, threads, corpus, evaluation) are the bench's own. */
static const char *const bench_settings[] = {"cell", "layers", "embed", "batch", "seq", "tokenizer",
                                             "max-vocab", "optim", "lr", "clip", NULL};

/* 0 if every comma-separated item of list is a hidden size in [1, MODEL_MAX_WIDTH]. */
static int check_hidden_list(const char *list, Err *err)
{
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[32], q[96];
        long long h = 0;
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item - 1 ? n : sizeof item - 1), p);
        if (n == 0 || n >= sizeof item - 1 || train_config_parse_whole(item, &h) != 0 || h < 1 ||
            h > MODEL_MAX_WIDTH) {
            train_config_quote(item, q, sizeof q);
            return err_set(err, ERR_INPUT, "--hidden: %s is not a size in [1, %d]; give whole numbers separated by "
                           "commas, e.g. 128,512", q, MODEL_MAX_WIDTH);
        }
        p += n + (comma ? 1 : 0);
        if (comma && !*p) {
            train_config_quote(list, q, sizeof q);
            return err_set(err, ERR_INPUT, "--hidden: %s ends with a comma; give e.g. 128,512", q);
        }
    }
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    const char *hidden_list = "128,512";
    const char *corpus = NULL;
    int steps = 0, threads = 0, json = 0, step_only = 0, sgemm_n = 2048;
    float seconds = 0;
    TrainConfig recipe;
    train_config_default(&recipe);
    const CliOpt opts[] = {
        {"hidden", CLI_STR, &hidden_list, 0, 0, "LIST", "hidden sizes to measure, comma-separated"},
        {"steps", CLI_INT, &steps, 0, 1000000, "N", "timed steps per size (0: --seconds' worth, or 100 up to "
                                                     "H=256 and 20 above)"},
        {"seconds", CLI_FLOAT, &seconds, 0, 3600, "S", "with --steps 0: time about S seconds of steps per size, "
                                                      "at the warm-up's pace (0: the fixed counts)"},
        {"step-only", CLI_FLAG, &step_only, 0, 1, NULL, "time the step only: skip measuring the inspector's "
                                                        "overhead (half the time)"},
        {"threads", CLI_INT, &threads, 0, 256, "N", "threads of a training step (0: one per core)"},
        {"sgemm", CLI_INT, &sgemm_n, 0, 8192, "N", "size of the square sgemm measured first (0: none)"},
        {"corpus", CLI_STR, &corpus, 0, 0, "FILE", "text to train on (default: tiny-shakespeare if found)"},
        {"json", CLI_FLAG, &json, 0, 1, NULL, "one JSON object per measurement"},
    };
    CliSpec spec = {
        .usage = "rnnscope bench [--hidden 128,512] [--steps N] [--threads N] [training settings]",
        .summary = "Measure training throughput (tokens/s), achieved GFLOP/s and peak memory of a model\n"
                   "(by default the char LSTM: E=64, 2 layers, B=50, T=50, Adam, clip 5), and OpenBLAS\n"
                   "sgemm GFLOP/s for comparison. GFLOP/s counts 3x the forward's multiply-adds x 2.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .train = &recipe, .train_only = bench_settings,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc || check_hidden_list(hidden_list, &err))
        return report(&err);
    BenchOpts o = {steps, 3, threads, json, sgemm_n, seconds, step_only, corpus, &recipe};
    if (o.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = n > 0 ? (int)n : 1;
    }
    if (!o.corpus) {
        const char *cands[] = {"../shared/corpora/tinyshakespeare.txt", "data/tinyshakespeare.txt"};
        o.corpus = default_corpus_path();
        for (int i = 0; i < 2; i++)
            if (access(cands[i], R_OK) == 0) {
                o.corpus = cands[i];
                break;
            }
    }
    snprintf(recipe.corpus, sizeof recipe.corpus, "%s", o.corpus);
    if (train_config_check(&recipe, &err))
        return report(&err);
    if (!json)
        printf("corpus %s, %d thread(s)\n", o.corpus, o.threads);
    if (o.sgemm_n > 0 && (rc = in_child(sgemm_adapter, &o, 0)) != 0)
        return rc;
    for (const char *p = hidden_list; *p && rc == 0; p += strcspn(p, ","), p += *p == ',')
        rc = in_child(bench_model, &o, atoi(p));
    return rc;
}
