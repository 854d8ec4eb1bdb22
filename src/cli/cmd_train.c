/* cmd_train.c — `rnnscope train`: headless training with a progress line,
 * JSON-lines logging, periodic atomic checkpoints and exact resume. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "flags.h"
#include "progress.h"
#include "steplog.h"
#include "trainer.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* runs/<corpus file name without extension>-<cell>.safetensors */
static void default_save_path(const TrainConfig *c, char *out, size_t cap)
{
    const char *base = strrchr(c->corpus, '/');
    base = base ? base + 1 : c->corpus;
    size_t len = strcspn(base, ".");
    if (len == 0)
        len = strlen(base);
    snprintf(out, cap, "runs/%.*s-%s.safetensors", (int)len, base, cell_name(c->cell));
}

/* Create the directory part of path if it is missing. */
static int ensure_parent_dir(const char *path, Err *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char dir[TRAIN_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return err_set(err, ERR_INPUT, "--save %s: cannot create directory %s: %s", path, dir, strerror(errno));
    return 0;
}

int cmd_train(int argc, char **argv)
{
    TrainConfig cfg;
    train_config_default(&cfg);
    snprintf(cfg.corpus, sizeof cfg.corpus, "%s", default_corpus_path());
    int overridden[64] = {0};
    int headless = 0, quiet = 0;
    long save_every = 0;
    const char *save = NULL, *resume = NULL, *log_path = NULL;
    const CliOpt opts[] = {
        {"headless", CLI_FLAG, &headless, 0, 1, NULL, "no dashboard: a progress line on stderr"},
        {"resume", CLI_STR, &resume, 0, 0, "RUN", "continue the run saved in RUN exactly where it stopped"},
        {"save", CLI_STR, &save, 0, 0, "PATH", "where the run is saved (default runs/CORPUS-CELL.safetensors, or RUN)"},
        {"save-every", CLI_LONG, &save_every, 0, 1e15, "N", "also save every N steps (0: at each evaluation and at the end)"},
        {"log", CLI_STR, &log_path, 0, 0, "FILE", "append JSON lines: one per step, one per evaluation"},
        {"quiet", CLI_FLAG, &quiet, 0, 1, NULL, "no progress output"},
    };
    CliSpec spec = {
        .usage = "rnnscope train [--headless] [--resume RUN] [options]",
        .summary = "Train a recurrent language model on a text file with truncated backpropagation through\n"
                   "time (B parallel streams, chunks of T tokens, state carried between chunks).\n"
                   "Ctrl-C stops after the current step and saves the run.",
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
    (void)headless; /* training from this command is always headless until the dashboard lands */

    Trainer t;
    rc = resume ? trainer_resume(&t, resume, &cfg, overridden, &err) : trainer_init(&t, &cfg, &err);
    if (rc)
        return report(&err);
    if (t.note[0] && !quiet)
        fprintf(stderr, "rnnscope: note: %s\n", t.note);
    char save_path[TRAIN_PATH_MAX];
    if (save)
        snprintf(save_path, sizeof save_path, "%s", save);
    else if (resume)
        snprintf(save_path, sizeof save_path, "%s", resume);
    else
        default_save_path(&t.cfg, save_path, sizeof save_path);
    if ((rc = ensure_parent_dir(save_path, &err)) != 0) {
        trainer_free(&t);
        return report(&err);
    }
    StepLog log = {0};
    if (log_path && (rc = steplog_open(&log, log_path, &err)) != 0) {
        trainer_free(&t);
        return report(&err);
    }
    if (!quiet)
        fprintf(stderr,
                "rnnscope: %s %dx%d (embed %d, %zu parameters) on %s: %zu tokens (%s, vocab %d), "
                "%zu for validation; from step %ld\n",
                cell_name(t.model.cfg.cell), t.model.cfg.layers, t.model.cfg.hidden, t.model.cfg.embed,
                t.model.n_params, t.corpus.path, t.corpus.n, tok_name(t.corpus.tok.type),
                t.corpus.tok.vocab_size, t.corpus.n - t.corpus.n_train, t.step);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    Progress prog;
    progress_init(&prog, stderr, t.cfg.steps, t.step, t.last_val_loss);
    int status = 0;
    long last_saved = -1;
    while (!stop_requested && (t.cfg.steps == 0 || t.step < t.cfg.steps)) {
        StepInfo info;
        if ((rc = trainer_step(&t, &info, &err)) != 0) {
            progress_finish(&prog);
            if (last_saved >= 0 || resume)
                fprintf(stderr, "rnnscope: %s; the last good checkpoint is %s (step %ld)\n", err.msg, save_path,
                        last_saved >= 0 ? last_saved : t.step);
            else
                fprintf(stderr, "rnnscope: %s\n", err.msg);
            status = rc;
            break;
        }
        steplog_step(&log, &info, &t.model);
        if (info.evaluated)
            steplog_eval(&log, info.step, info.val_loss);
        if (!quiet)
            progress_update(&prog, &info);
        int due = save_every > 0 ? info.step % save_every == 0 : info.evaluated;
        if (due) {
            if ((rc = trainer_save(&t, save_path, &err)) != 0) {
                progress_finish(&prog);
                status = report(&err);
                break;
            }
            last_saved = info.step;
        }
    }
    if (!quiet)
        progress_finish(&prog);
    if (status == 0 && last_saved != t.step) {
        if ((rc = trainer_save(&t, save_path, &err)) != 0)
            status = report(&err);
    }
    if (status == 0 && !quiet) {
        if (isnan(t.last_val_loss))
            fprintf(stderr, "rnnscope: %s at step %ld; run saved to %s\n",
                    stop_requested ? "interrupted" : "done", t.step, save_path);
        else
            fprintf(stderr, "rnnscope: %s at step %ld, validation loss %.4f; run saved to %s\n",
                    stop_requested ? "interrupted" : "done", t.step, (double)t.last_val_loss, save_path);
    }
    steplog_close(&log);
    trainer_free(&t);
    if (status == 0 && stop_requested)
        return 130;
    return status;
}
