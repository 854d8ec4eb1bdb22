/* main.c — entry point: dispatches to the subcommands. `rnnscope` alone trains
 * on the shipped default corpus. */
#include <cblas.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "commands.h"
#include "paths.h"
#include "ranks.h"

#ifndef RNNSCOPE_VERSION
#define RNNSCOPE_VERSION "0.1.0"
#endif

static volatile sig_atomic_t stop_signal;
/* cli_set_term_note's line, double-buffered so the handler never reads one
 * half-written: the index of the complete one, -1 for none */
static char term_note[2][640];
static size_t term_note_len[2];
static volatile sig_atomic_t term_note_at = -1;

static void on_stop_signal(int sig)
{
    stop_signal = 1;
    int at = term_note_at;
    if (sig == SIGTERM && at >= 0) {
        ssize_t w = write(STDERR_FILENO, term_note[at], term_note_len[at]);
        (void)w;
        term_note_at = -1; /* once */
    }
}

void cli_set_term_note(const char *line)
{
    int next = term_note_at == 0 ? 1 : 0;
    int n = snprintf(term_note[next], sizeof term_note[next], "rnnscope: %s\n", line);
    term_note_len[next] = n < 0 ? 0 : (size_t)n < sizeof term_note[next] ? (size_t)n : sizeof term_note[next] - 1;
    term_note_at = next;
}

void cli_catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL); /* mpirun forwards it to every rank without killing them */
}

int cli_stop_requested(void)
{
    return stop_signal != 0;
}

static int reports_silenced;

void cli_silence_reports(int on)
{
    reports_silenced = on;
}

void cli_say(const char *fmt, ...)
{
    if (reports_silenced)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

int report(const Err *err)
{
    cli_say("rnnscope: %s\n", err->msg);
    return err->code ? err->code : ERR_RUNTIME;
}

int cli_resumed_corpus(const char *resume, const Trainer *t, const int *overridden, char *out, size_t cap)
{
    for (int i = 0; i < train_config_n_fields(); i++)
        if (!strcmp(train_config_field(i)->name, "corpus")) {
            if (overridden && overridden[i])
                return 0;
            char qr[2 * TRAIN_PATH_MAX], qc[2 * TRAIN_PATH_MAX];
            paths_shell_quote(resume, qr, sizeof qr);
            paths_shell_quote(t->cfg.corpus, qc, sizeof qc);
            snprintf(out, cap, "resuming %s: corpus %s from the checkpoint (--corpus FILE to use another)", qr, qc);
            return 1;
        }
    return 0;
}

const char *default_corpus_path(void)
{
    static char found[PATH_MAX];
    if (!paths_find_shipped("corpora", DEFAULT_CORPUS_NAME, found, sizeof found))
        snprintf(found, sizeof found, "corpora/%s", DEFAULT_CORPUS_NAME);
    return found;
}

static void usage(FILE *out)
{
    fprintf(out,
            "rnnscope %s — train recurrent language models and watch them learn\n\n"
            "usage: rnnscope [COMMAND] [options]\n\n"
            "commands:\n"
            "  (none)      the live dashboard training on the shipped default corpus\n"
            "  tui         the live dashboard: rnnscope tui [--resume RUN] [training options]\n"
            "  train       train a model; --resume RUN continues a saved run exactly\n"
            "  sample      generate text from a checkpoint\n"
            "  eval        loss of a checkpoint on a text file (nats, bits, perplexity)\n"
            "  grad        gradient of that loss for every tensor, as safetensors\n"
            "  export      the model of a run alone, for PyTorch: rnnscope export RUN --out MODEL\n"
            "  gradcheck   analytic against numerical gradients on a small model\n"
            "  diagnose    train a while and say what is wrong with the run, why, and what to do\n"
            "  units       what each hidden unit does over a text: rnnscope units CKPT FILE --find REGEX\n"
            "  control     steer a headless run through its socket: rnnscope control RUN :pause|:status|...\n"
            "  watch       the dashboard on a run training elsewhere: rnnscope watch LOG (or CHECKPOINT)\n"
            "  bench       training speed, GFLOP/s and memory\n"
            "  run         run a Lua script (docs/lua.md): rnnscope run SCRIPT.lua [args]\n\n"
            "rnnscope COMMAND --help lists every flag of a command with its default.\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n",
            RNNSCOPE_VERSION);
}

/* Why: OpenBLAS (0.3.21, Debian 12) runs its Haswell kernels on AVX-512 AMD
 * CPUs (Zen 4), where its SkylakeX kernels do sgemm about twice as fast. The
 * kernel is chosen when the library loads, before main, from OPENBLAS_CORETYPE;
 * so when the CPU has AVX-512 and the variable is unset, set it and execute
 * this program again, once. Results stay deterministic on a given machine. */
static void pick_blas_kernel(char **argv)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (getenv("RNNSCOPE_SET_CORETYPE")) {
        /* this is the second execution, with the variable set below: OpenBLAS
         * read it when it loaded, and child processes (os.execute under
         * --unsafe, a shell from Lua) must get the user's environment */
        unsetenv("RNNSCOPE_SET_CORETYPE");
        unsetenv("OPENBLAS_CORETYPE");
        return;
    }
    if (getenv("OPENBLAS_CORETYPE"))
        return; /* the user's own choice, kept for child processes too */
    const char *core = openblas_get_corename();
    if (!core || (strcasecmp(core, "haswell") != 0 && strcasecmp(core, "zen") != 0))
        return;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
        !__builtin_cpu_supports("avx512dq") || !__builtin_cpu_supports("avx512vl"))
        return;
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    setenv("RNNSCOPE_SET_CORETYPE", "1", 1);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE"); /* exec failed: carry on with the default kernel */
    unsetenv("RNNSCOPE_SET_CORETYPE");
#else
    (void)argv;
#endif
}

/* Output that could not be written (a full disk, a closed pipe) is a failure,
 * not a silent success: flush stdout and say so, naming what was lost. */
static int finish_output(int status, const char *what)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "rnnscope: cannot write %s: %s\n", what, errno ? strerror(errno) : "write error");
        return status ? status : 1;
    }
    return status;
}

/* What a command's stdout holds, for finish_output: its --help (a --help or
 * -h among its flags, before "--" or, for run, before the script), else its
 * output. */
static const char *output_name(const char *cmd, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return "the help";
        if (!strcmp(cmd, "run") && argv[i][0] != '-')
            break;
    }
    return "the output";
}

int main(int argc, char **argv)
{
    pick_blas_kernel(argv);
    const char *launcher;
    int launched = ranks_launched(&launcher);
    if (launched > 1 && (argc < 2 || (argv[1][0] != '-' && strcmp(argv[1], "train") != 0))) {
        const char *what = argc < 2 ? "the dashboard" : argv[1];
        fprintf(stderr, "rnnscope: %s was started as one of %d processes (%s); only `rnnscope train` trains on "
                "several; run %s as a single process\n", what, launched, launcher, what);
        return 2;
    }
    if (argc < 2)
        return cmd_tui(0, argv + 1);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return finish_output(0, "the help");
    }
    if (!strcmp(cmd, "--version")) {
#ifdef RNNSCOPE_MPI
        printf("rnnscope %s (data-parallel training with MPI)\n", RNNSCOPE_VERSION);
#else
        printf("rnnscope %s (without MPI)\n", RNNSCOPE_VERSION);
#endif
        return finish_output(0, "the version");
    }
    if (cmd[0] == '-')
        return finish_output(cmd_train(argc - 1, argv + 1), output_name("train", argc - 1, argv + 1));
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } table[] = {
        {"train", cmd_train}, {"sample", cmd_sample}, {"eval", cmd_eval}, {"grad", cmd_grad},
        {"gradcheck", cmd_gradcheck}, {"bench", cmd_bench}, {"tui", cmd_tui}, {"run", cmd_run},
        {"diagnose", cmd_diagnose}, {"export", cmd_export}, {"units", cmd_units},
        {"control", cmd_control}, {"watch", cmd_watch},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(cmd, table[i].name))
            return finish_output(table[i].fn(argc - 2, argv + 2), output_name(cmd, argc - 2, argv + 2));
    fprintf(stderr, "rnnscope: unknown command '%s'; run rnnscope --help for the list\n", cmd);
    return 2;
}
