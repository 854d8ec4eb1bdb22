/* cmd_run.c — `rnnscope run [options] SCRIPT.lua [args]`: a Lua script run
 * headless (the host in src/lua/lua_host.h, driven by luahost_drive).
 *
 * Options come before the script; everything after it is the script's
 * (global `arg`, as lua.c). Training settings given here (--corpus,
 * --hidden, ...) are the defaults the script's run starts from. Output:
 * print and rnn.log to stdout, rnn.status and errors (with their traceback)
 * to stderr, rnn.plot points to --plot FILE as tab-separated lines.
 * Exit: 0 success, 1 Lua error (or interrupt/timeout), 2 bad usage.
 */
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "paths.h"
#include "lua_host.h"
#include "train_config.h"

static LuaHost *run_host; /* for the signal handlers */

static void run_on_signal(int sig)
{
    luahost_interrupt(run_host, sig == SIGALRM ? 1 : 0);
}

static void run_print(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static void run_error(void *ctx, const char *text)
{
    (void)ctx;
    fflush(stdout);
    fprintf(stderr, "rnnscope: %s\n", text);
}

static void run_status(void *ctx, const char *text)
{
    (void)ctx;
    fprintf(stderr, "rnnscope: status: %s\n", text);
}

static void run_plot(void *ctx, const char *series, double x, double y)
{
    FILE *f = ctx;
    if (f)
        fprintf(f, "%s\t%.9g\t%.9g\n", series, x, y);
}

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: rnnscope run [options] SCRIPT.lua [args...]\n\n"
            "Run a Lua script that builds, trains and inspects models through the `rnn` API\n"
            "(docs/lua.md). The script's arguments are in the global table `arg`.\n\n"
            "options (before the script):\n"
            "  --unsafe        full standard library: io.popen, os.execute, C modules, debug\n"
            "  --timeout SEC   interrupt the script after SEC seconds (exit 1, with traceback)\n"
            "  --plot FILE     write rnn.plot points to FILE as lines: series<TAB>x<TAB>y\n"
            "  --lua-memory SIZE  memory the script may use (512M, 2G, bytes; 0 = no limit;\n"
            "                  default 1G or a quarter of RAM if less); beyond it: an error\n"
            "  --NAME VALUE    any training setting (rnnscope train --help): the defaults of\n"
            "                  the script's run, e.g. --corpus FILE --threads 1\n"
            "  --help          show this help\n\n"
            "Ctrl-C interrupts the script (a pure-Lua loop too). Exit status: 0 success,\n"
            "1 a Lua error, interrupt or timeout (message and traceback on stderr), 2 bad usage.\n");
}

int cmd_run(int argc, char **argv)
{
    TrainConfig defaults;
    train_config_default(&defaults);
    snprintf(defaults.corpus, sizeof defaults.corpus, "%s", default_corpus_path());
    int unsafe = 0;
    long timeout = 0;
    const char *plot_path = NULL;
    size_t lua_memory = 0;
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *flag = argv[i] + 2;
        if (!strcmp(flag, "help")) {
            run_usage(stdout);
            return 0;
        }
        if (!strcmp(flag, "unsafe")) {
            unsafe = 1;
            continue;
        }
        const TcField *bf = train_config_find(flag);
        if (bf && bf->kind == TC_BOOL) { /* bare, as train and tui take them */
            Err err;
            if (train_config_set(&defaults, flag, "1", &err) != 0) {
                fprintf(stderr, "rnnscope: run: %s\n", err.msg);
                return 2;
            }
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "rnnscope: run: --%s needs a value; see rnnscope run --help\n", flag);
            return 2;
        }
        const char *val = argv[++i];
        if (!strcmp(flag, "timeout")) {
            char *end;
            timeout = strtol(val, &end, 10);
            if (*end || end == val || timeout < 1 || timeout > 86400 * 365) {
                fprintf(stderr, "rnnscope: run: --timeout: '%s' is not a whole number of seconds >= 1\n", val);
                return 2;
            }
        } else if (!strcmp(flag, "plot")) {
            plot_path = val;
        } else if (!strcmp(flag, "lua-memory")) {
            Err err;
            if (luahost_parse_size(val, &lua_memory, &err) != 0) {
                fprintf(stderr, "rnnscope: run: %s\n", err.msg);
                return 2;
            }
        } else {
            Err err;
            if (train_config_set(&defaults, flag, val, &err) != 0) {
                fprintf(stderr, "rnnscope: run: %s\n", err.msg);
                return 2;
            }
        }
    }
    if (i >= argc) {
        fprintf(stderr, "rnnscope: run: no script given; usage: rnnscope run [options] SCRIPT.lua [args]\n");
        return 2;
    }
    const char *script = argv[i];
    static char shipped[PATH_MAX];
    if (access(script, R_OK) != 0 && !strchr(script, '/') &&
        paths_find_shipped("scripts", script, shipped, sizeof shipped))
        script = shipped; /* a bare name: one of the shipped scripts (./scripts, the install) */
    struct stat sst;
    if (access(script, R_OK) != 0 || stat(script, &sst) != 0 || !S_ISREG(sst.st_mode)) {
        fprintf(stderr, "rnnscope: run: cannot read script %s (%s); check the path\n", script,
                stat(script, &sst) == 0 && S_ISDIR(sst.st_mode) ? "a directory" : "missing, unreadable or not a file");
        return 2;
    }
    FILE *plot = NULL;
    if (plot_path && !(plot = fopen(plot_path, "w"))) {
        fprintf(stderr, "rnnscope: run: --plot %s: cannot create the file\n", plot_path);
        return 2;
    }
    LuaHostOptions opt = {
        .unsafe = unsafe,
        .ui = {.ctx = plot, .print = run_print, .log = run_print, .error = run_error,
               .plot = run_plot, .status = run_status},
        .defaults = &defaults,
        .mem_limit = lua_memory,
    };
    LuaHost *h = luahost_new(&opt);
    if (!h) {
        fprintf(stderr, "rnnscope: run: cannot create the Lua state (out of memory)\n");
        if (plot)
            fclose(plot);
        return 1;
    }
    Err err;
    err_clear(&err);
    int status;
    if (luahost_start_file(h, script, argc - i, argv + i, &err) != 0) {
        fprintf(stderr, "rnnscope: %s\n", err.msg);
        status = 1; /* a syntax error is the script's fault, like any Lua error */
    } else {
        run_host = h;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = run_on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGALRM, &sa, NULL);
        if (timeout > 0)
            alarm((unsigned)timeout);
        status = luahost_drive(h);
        alarm(0);
        signal(SIGINT, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        run_host = NULL;
    }
    luahost_free(h);
    if (plot && fclose(plot) != 0) {
        fprintf(stderr, "rnnscope: run: --plot %s: write failed\n", plot_path);
        status = 1;
    }
    return status;
}
