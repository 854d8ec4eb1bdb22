/* cmd_tui.c — `rnnscope tui` (and `rnnscope` alone, and `rnnscope train` on a
 * terminal): the live dashboard training a model. Parses the flags, builds or
 * resumes the Trainer and hands it to the event loop in src/tui/app.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "flags.h"
#include "lua_host.h"
#include "paths.h"
#include "run_guard.h"
#include "trainer.h"

int cmd_tui(int argc, char **argv)
{
    TrainConfig cfg;
    train_config_default(&cfg);
    snprintf(cfg.corpus, sizeof cfg.corpus, "%s", default_corpus_path());
    int overridden[64] = {0};
    int paused = 0, exit_at_end = 0, headless_ignored = 0, unsafe = 0, force = 0, keep_best = 1;
    const char *save = NULL, *resume = NULL, *theme = NULL, *layout = NULL, *csv = NULL, *tb = NULL;
    const char *lua_memory = NULL;
    int ngram = 0;
    const CliOpt opts[] = {
        {"resume", CLI_STR, &resume, 0, 0, "RUN", "continue the run saved in RUN exactly where it stopped"},
        {"save", CLI_STR, &save, 0, 0, "PATH",
         "where :quit saves the run (default RUN, or a new "
         "$XDG_STATE_HOME/rnnscope/runs/CORPUS-CELL-LxH-DATE-TIME.safetensors)"},
        {"force", CLI_FLAG, &force, 0, 1, NULL, "let --save replace a file that holds another run"},
        {"keep-best", CLI_FLAG, &keep_best, 0, 1, NULL, "keep the best run by validation loss in "
                                                   "PATH.best.safetensors (always on in the dashboard)"},
        {"theme", CLI_STR, &theme, 0, 0, "NAME", "colour theme: default, light, solarized-dark, gruvbox, monochrome or a file"},
        {"layout", CLI_STR, &layout, 0, 0, "NAME", "panel layout: default, wide, tall or inspector"},
        {"paused", CLI_FLAG, &paused, 0, 1, NULL, "start paused (:run or F5 starts training)"},
        {"exit-at-end", CLI_FLAG, &exit_at_end, 0, 1, NULL, "save and exit when --steps is reached (for benchmarks)"},
        {"headless", CLI_FLAG, &headless_ignored, 0, 1, NULL, "(for rnnscope train: no dashboard)"},
        {"ngram", CLI_INT, &ngram, 0, 10, "N", "an N-gram baseline (Kneser-Ney) from the training split: its "
                                             "validation loss is a dashed line on the loss chart"},
        {"csv", CLI_STR, &csv, 0, 0, "FILE", "write every step's metrics and diagnostics as CSV rows"},
        {"tensorboard", CLI_STR, &tb, 0, 0, "DIR", "write TensorBoard event files (scalars, histograms) into DIR"},
        {"unsafe", CLI_FLAG, &unsafe, 0, 1, NULL, "Lua scripts (:run, :lua, init.lua) get the full standard library "
                                                 "(io.popen, os.execute, C modules); sandboxed otherwise"},
        {"lua-memory", CLI_STR, &lua_memory, 0, 0, "SIZE", "memory a Lua script may use (512M, 2G, bytes; 0 = no "
                                                         "limit; default 1G or a quarter of RAM if less)"},
    };
    CliSpec spec = {
        .usage = "rnnscope tui [--resume RUN] [--theme NAME] [--layout NAME] [training options]",
        .summary = "Train with the live dashboard: loss chart, gradient norms by layer, next-token\n"
                   "probabilities for what you type, samples. F1 or :help inside lists every key and\n"
                   "command; :quit or Ctrl-D saves the run and says where.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .train = &cfg, .overridden = overridden,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    size_t lua_mem = 0;
    if (lua_memory && (rc = luahost_parse_size(lua_memory, &lua_mem, &err)) != 0)
        return report(&err);
    if (save && ((rc = paths_make_parent(save, &err)) != 0 || (rc = st_check_save_path(save, &err)) != 0))
        return report(&err);
    Trainer *t = xcalloc(1, sizeof *t);
    rc = resume ? trainer_resume(t, resume, &cfg, overridden, &err) : trainer_init(t, &cfg, &err);
    if (rc) {
        free(t);
        return report(&err);
    }
    char line[4 * TRAIN_PATH_MAX];
    if (resume && cli_resumed_corpus(resume, t, overridden, line, sizeof line)) {
        /* the dashboard's first message says it (t->note is shown as one) */
        char note[sizeof line + sizeof t->note + 2];
        snprintf(note, sizeof note, "%s%s%s", line, t->note[0] ? "; " : "", t->note);
        if (snprintf(t->note, sizeof t->note, "%s", note) >= (int)sizeof t->note)
            fprintf(stderr, "rnnscope: %s\n", line); /* too long for the message: said after exit too */
    }
    RunIdent id;
    run_ident(t, &id);
    if (save && !force && (rc = run_guard_check(&id, save, "add --force to replace it", &err)) != 0) {
        trainer_free(t);
        free(t);
        return report(&err);
    }
    AppOptions o = {theme, layout, save ? save : resume, paused, exit_at_end, ngram, csv, tb, unsafe, force, lua_mem, NULL};
    rc = app_run(t, &o, &err);
    if (rc && err.msg[0])
        return report(&err);
    return rc;
}

/* 1 if `rnnscope train ARGS` should open the dashboard: no --headless, no
 * --help, every flag one the dashboard understands (a train-only flag such as
 * --log keeps training headless), and a terminal on stdin and stdout. */
int cmd_tui_wanted(int argc, char **argv)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return 0;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--headless") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 0;
    TrainConfig cfg;
    train_config_default(&cfg);
    int overridden[64] = {0}, flag = 0;
    const char *str = NULL;
    const CliOpt opts[] = {
        {"resume", CLI_STR, &str, 0, 0, "RUN", ""}, {"save", CLI_STR, &str, 0, 0, "PATH", ""},
        {"theme", CLI_STR, &str, 0, 0, "NAME", ""}, {"layout", CLI_STR, &str, 0, 0, "NAME", ""},
        {"paused", CLI_FLAG, &flag, 0, 1, NULL, ""}, {"exit-at-end", CLI_FLAG, &flag, 0, 1, NULL, ""},
        {"ngram", CLI_INT, &flag, 0, 10, "N", ""}, {"csv", CLI_STR, &str, 0, 0, "FILE", ""},
        {"tensorboard", CLI_STR, &str, 0, 0, "DIR", ""}, {"unsafe", CLI_FLAG, &flag, 0, 1, NULL, ""},
        {"force", CLI_FLAG, &flag, 0, 1, NULL, ""}, {"keep-best", CLI_FLAG, &flag, 0, 1, NULL, ""},
        {"lua-memory", CLI_STR, &str, 0, 0, "SIZE", ""},
    };
    CliSpec spec = {.usage = "", .summary = "", .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
                    .train = &cfg, .overridden = overridden};
    Err err;
    return cli_parse(&spec, argc, argv, &err) == 0;
}
