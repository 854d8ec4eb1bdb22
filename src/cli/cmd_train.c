/* cmd_train.c — `rnnscope train`: headless training with a progress line,
 * JSON-lines logging, periodic atomic checkpoints and exact resume. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "csvlog.h"
#include "flags.h"
#include "keep_best.h"
#include "ngram.h"
#include "paths.h"
#include "progress.h"
#include "ranks.h"
#include "train_ranks.h"
#include "run_guard.h"
#include "screen.h"
#include "steplog.h"
#include "tbwriter.h"
#include "train_control.h"
#include "trainer.h"

#define FORCE_HINT "add --force to replace it"

/* Where the run is saved: --save, else the --resume file, else a new file of
 * its own under runs/ (run_guard.h); its folders made, and refused when it
 * holds another run (unless --force), and so for the keep-best companion. */
static int choose_save_path(const Trainer *t, const char *save, const char *resume, int force, int keep_best,
                            char *out, size_t cap, Err *err)
{
    int rc;
    if (save)
        snprintf(out, cap, "%s", save);
    else if (resume)
        snprintf(out, cap, "%s", resume);
    else if ((rc = run_unique_path("runs", &t->cfg, out, cap, err)) != 0)
        return rc;
    if ((rc = paths_make_parent(out, err)) != 0 || (rc = st_check_save_path(out, err)) != 0)
        return rc;
    if (force)
        return 0;
    RunIdent id;
    run_ident(t, &id);
    char best[TRAIN_PATH_MAX + 16];
    keep_best_path(out, best, sizeof best);
    if ((rc = run_guard_check(&id, out, FORCE_HINT, err)) != 0 ||
        (keep_best && (rc = run_guard_check(&id, best, FORCE_HINT, err)) != 0))
        return rc;
    return 0;
}

/* The exports of --csv, --tensorboard and --ngram, opened after the trainer. */
typedef struct {
    CsvLog csv;
    TbWriter tb;
    int ngram;
    double ngram_loss;
} TrainExports;

static int exports_open(TrainExports *x, const Trainer *t, const char *csv_path, const char *tb_dir, StepLog *log,
                        int quiet, Err *err)
{
    int rc;
    x->ngram_loss = NAN;
    if (csv_path && (rc = csvlog_open(&x->csv, csv_path, err)) != 0)
        return rc;
    if (tb_dir && (rc = tbwriter_open(&x->tb, tb_dir, err)) != 0)
        return rc;
    if (x->ngram > 0) {
        size_t n_val = t->corpus.n - t->corpus.n_train;
        if (n_val < 2)
            return err_set(err, ERR_INPUT, "--ngram %d needs a validation split; set --val-frac above 0", x->ngram);
        double t0 = progress_now_s();
        if ((rc = ngram_holdout_loss(&t->corpus.ids, t->corpus.n_train, x->ngram,
                                     t->corpus.tok.vocab_size, &x->ngram_loss, err)) != 0)
            return rc;
        x->csv.ngram_loss = x->ngram_loss;
        steplog_ngram(log, x->ngram, (float)x->ngram_loss);
        if (!quiet)
            cli_say("rnnscope: %d-gram baseline (interpolated Kneser-Ney) from %zu training tokens: "
                    "validation loss %.4f nats/token (%.2fs)\n", x->ngram, t->corpus.n_train, x->ngram_loss,
                    progress_now_s() - t0);
    }
    return 0;
}

static int exports_step(TrainExports *x, Trainer *t, const StepInfo *info, Err *err)
{
    csvlog_step(&x->csv, info, &t->model);
    if (!x->tb.f)
        return 0;
    return tbwriter_step(&x->tb, &t->model, info, t->cfg.eval_every > 0 ? t->cfg.eval_every : 100, x->ngram_loss,
                         err);
}

static void exports_close(TrainExports *x)
{
    csvlog_close(&x->csv);
    tbwriter_close(&x->tb);
}

/* Save the run (train_ranks.h: on several ranks, gathered and written by rank 0). */
static int save_run(Trainer *t, const char *path, int force, Err *err)
{
    return train_save_run(t, path, force, FORCE_HINT, err);
}

static int train_ranks(int argc, char **argv, Comm *comm);

int cmd_train(int argc, char **argv)
{
    Comm *comm = NULL;
    Err err;
    err_clear(&err);
    if (ranks_start(&comm, &err) != 0)
        return report(&err);
    if (!comm)
        return train_ranks(argc, argv, NULL);
    cli_silence_reports(comm->rank != 0);
    int status = train_ranks(argc, argv, comm);
    ranks_end(comm, comm->broken, status);
    return status;
}

/* One process, or rank comm->rank of several. */
static int train_ranks(int argc, char **argv, Comm *comm)
{
    /* on a terminal, without --headless, training opens the dashboard; on
     * one that cannot show it (TERM=dumb, no terminfo entry) it says so and
     * trains headless */
    char no_dashboard[128] = "";
    const int many = comm != NULL;
    if (!many && cmd_tui_wanted(argc, argv)) {
        if (screen_term_check(no_dashboard, sizeof no_dashboard) == 0)
            return cmd_tui(argc, argv);
    }
    int on_terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    TrainConfig cfg;
    train_config_default(&cfg);
    snprintf(cfg.corpus, sizeof cfg.corpus, "%s", default_corpus_path());
    int overridden[64] = {0};
    int headless = 0, quiet = 0, force = 0, keep_best = 0;
    long save_every = 0, log_every = STEPLOG_EVERY_DEFAULT;
    const char *save = NULL, *resume = NULL, *log_path = NULL, *csv_path = NULL, *tb_dir = NULL;
    TrainExports exports;
    memset(&exports, 0, sizeof exports);
    const CliOpt opts[] = {
        {"headless", CLI_FLAG, &headless, 0, 1, NULL, "no dashboard: a progress line on stderr"},
        {"resume", CLI_STR, &resume, 0, 0, "RUN", "continue the run saved in RUN exactly where it stopped"},
        {"save", CLI_STR, &save, 0, 0, "PATH", "where the run is saved (default RUN, or a new "
                                             "runs/CORPUS-CELL-LxH-DATE-TIME.safetensors)"},
        {"force", CLI_FLAG, &force, 0, 1, NULL, "let --save replace a file that holds another run"},
        {"keep-best", CLI_FLAG, &keep_best, 0, 1, NULL, "also keep the best run by validation loss in "
                                                   "PATH.best.safetensors (PATH: the --save file)"},
        {"save-every", CLI_LONG, &save_every, 0, 1e15, "N", "also save every N steps (0: at each evaluation and at the end)"},
        {"log", CLI_STR, &log_path, 0, 0, "FILE", "append JSON lines: steps (see --log-every), evaluations, findings;"
                                                 " take commands on FILE.sock (rnnscope control)"},
        {"log-every", CLI_LONG, &log_every, 1, 1e15, "N", "--log: a step line every N steps, and at each evaluation, "
                                                     "finding event and the last step (1: every step)"},
        {"quiet", CLI_FLAG, &quiet, 0, 1, NULL, "no progress output"},
        {"csv", CLI_STR, &csv_path, 0, 0, "FILE", "write every step's metrics and diagnostics as CSV rows"},
        {"tensorboard", CLI_STR, &tb_dir, 0, 0, "DIR", "write TensorBoard event files (scalars, histograms) into DIR"},
        {"ngram", CLI_INT, &exports.ngram, 0, 10, "N", "an N-gram baseline (Kneser-Ney) from the training split, "
                                                  "evaluated once on the validation split"},
    };
    CliSpec spec = {
        .usage = "rnnscope train [--headless] [--resume RUN] [options]",
        .summary = "Train a recurrent language model on a text file with truncated backpropagation through\n"
                   "time (B parallel streams, chunks of T tokens, state carried between chunks).\n"
                   "Ctrl-C, SIGTERM, SIGHUP (a closed SSH session) and SIGUSR1 stop after the current step and save the run.\n"
                   "With --log FILE, the socket FILE.sock takes :pause :run :step :lr :clip :save :stop :status\n"
                   "between steps (rnnscope control --help); :stop saves the run too, and exits with status 0.",
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
    if (many)
        headless = 1, quiet = quiet || comm->rank != 0;
    for (int i = 0; i < argc; i++)
        if ((!strcmp(argv[i], "--log-every") || !strncmp(argv[i], "--log-every=", 12)) && !log_path) {
            err_set(&err, ERR_INPUT, "--log-every applies to --log FILE, which is not given; add --log FILE");
            return report(&err);
        }
    /* cmd_tui_wanted chose the dashboard or not before we got here; say why not */
    if (no_dashboard[0] && !quiet)
        cli_say("rnnscope: note: cannot open the dashboard on TERM=%s: %s; training headless\n",
                getenv("TERM") && *getenv("TERM") ? getenv("TERM") : "(unset)", no_dashboard);
    else if (on_terminal && !headless && !quiet)
        cli_say("rnnscope: note: --log, --save-every and --quiet are for headless training; training "
                "without the dashboard (add --headless to say so)\n");

    if (many && comm->rank != 0)
        log_path = csv_path = tb_dir = NULL, exports.ngram = 0; /* rank 0 writes the files */
    Trainer t;
    rc = resume ? trainer_resume_ranks(&t, resume, &cfg, overridden, comm, &err)
                : trainer_init_ranks(&t, &cfg, comm, &err);
    if (rc)
        return report(&err);
    char line[4 * TRAIN_PATH_MAX];
    if (resume && !quiet && cli_resumed_corpus(resume, &t, overridden, line, sizeof line))
        cli_say("rnnscope: %s\n", line);
    if (t.note[0] && !quiet)
        cli_say("rnnscope: note: %s\n", t.note);
    char save_path[TRAIN_PATH_MAX] = "";
    rc = train_is_root(&t) ? choose_save_path(&t, save, resume, force, keep_best, save_path, sizeof save_path, &err) : 0;
    if ((rc = comm_agree(comm, rc, &err)) != 0 || (rc = comm_bcast(comm, save_path, sizeof save_path, 0, &err)) != 0) {
        trainer_free(&t);
        return report(&err);
    }
    snprintf(t.save_path, sizeof t.save_path, "%s", save_path);
    long first_step = t.step;
    if (t.cfg.steps > 0 && t.step >= t.cfg.steps && !quiet)
        cli_say("rnnscope: note: the run is already at step %ld and --steps is %ld: nothing to train "
                "(raise --steps to continue)\n", t.step, t.cfg.steps);
    StepLog log = {0};
    rc = log_path ? steplog_open(&log, log_path, &err) : 0;
    if ((rc = comm_agree(comm, rc, &err)) != 0) {
        steplog_close(&log);
        trainer_free(&t);
        return report(&err);
    }
    log.every = log_every;
    steplog_start_findings(&log, &t.findings);
    /* the control socket next to the log (train_control.h), then the session's first log line */
    Progress prog;
    long last_saved = -1;
    TrainControl ctl;
    train_control_open(&ctl, &t, &log, &(TrainControlSetup){.log_path = log_path, .save_path = save_path,
        .force = force, .force_hint = FORCE_HINT, .last_saved = &last_saved, .prog = quiet ? NULL : &prog,
        .save = save_run});
    steplog_start(&log, &t, first_step + 1, save_path, train_control_socket(&ctl), comm ? comm->size : 1);
    RankControl rank_ctl;
    if (many)
        train_ranks_control(&ctl, &rank_ctl, comm);
    rc = exports_open(&exports, &t, csv_path, tb_dir, &log, quiet, &err);
    if (!rc && resume && exports.tb.f)
        rc = tbwriter_session_start(&exports.tb, t.step + 1, &err);
    if ((rc = comm_agree(comm, rc, &err)) != 0) {
        train_control_end(&ctl, 0);
        exports_close(&exports);
        steplog_close(&log);
        trainer_free(&t);
        return report(&err);
    }
    if (!quiet)
        cli_say(
                "rnnscope: %s %dx%d (embed %d, %zu parameters) on %s: %zu tokens (%s, vocab %d), "
                "%zu for validation; from step %ld%s\n",
                cell_name(t.model.cfg.cell), t.model.cfg.layers, t.model.cfg.hidden, t.model.cfg.embed,
                t.model.n_params, t.corpus.path, t.corpus.n, tok_name(t.corpus.tok.type),
                t.corpus.tok.vocab_size, t.corpus.n - t.corpus.n_train, t.step, train_ranks_line(&t));

    cli_catch_stop_signals();
    train_note_checkpoint(&t, resume, first_step);
    /* tests only: make one rank's parameters differ, to see the replica check catch it */
    const char *desync = getenv("RNNSCOPE_TEST_DESYNC_RANK");
    if (many && desync && atoi(desync) == comm->rank)
        t.model.params[0] += 1e-3f;

    progress_init(&prog, stderr, t.cfg.steps, t.step, t.last_val_loss);
    /* stopping: a stop signal came (on any rank: agreed after each step, so
     * all ranks log, save and leave after the same one) */
    int status = 0, stopping = train_stop_agreed(comm, &err);
    if (stopping < 0)
        stopping = 0, status = report(&err);
    while (status == 0 && !stopping && (t.cfg.steps == 0 || t.step < t.cfg.steps)) {
        int go = train_control_between_steps(&ctl); /* the socket's commands; waits while paused */
        if (go < 0) {
            stopping = 1; /* a stop signal while paused (agreed by the ranks' command source) */
            break;
        }
        if (go == 0)
            break; /* :stop */
        StepInfo info;
        if ((rc = trainer_step(&t, &info, &err)) != 0) {
            steplog_findings(&log, &t.findings);
            progress_finish(&prog);
            if (last_saved >= 0)
                cli_say("rnnscope: %s; the last good checkpoint is %s (step %ld)\n", err.msg, save_path,
                        last_saved);
            else if (resume)
                cli_say("rnnscope: %s; the last good checkpoint is %s (step %ld)\n", err.msg, resume,
                        first_step);
            else
                cli_say("rnnscope: %s\n", err.msg);
            status = rc;
            break;
        }
        if ((stopping = train_stop_agreed(comm, &err)) < 0) {
            stopping = 0;
            progress_finish(&prog);
            status = report(&err);
            break;
        }
        int last = (t.cfg.steps > 0 && info.step >= t.cfg.steps) || stopping;
        if (steplog_step_due(&log, &info, &t.findings, last))
            steplog_step(&log, &info, &t.model);
        if (info.evaluated)
            steplog_eval(&log, info.step, info.val_loss);
        steplog_findings(&log, &t.findings);
        /* an output that cannot be written (a full disk) stops the run, but the
         * run itself is saved first: its own disk may have room (on several
         * ranks: rank 0 writes, all agree to stop and save) */
        if ((rc = steplog_check(&log, &err)) == 0 && (rc = csvlog_check(&exports.csv, &err)) == 0)
            rc = exports_step(&exports, &t, &info, &err);
        if ((rc = comm_agree(comm, rc, &err)) != 0) {
            progress_finish(&prog);
            Err serr;
            if (t.comm && t.comm->broken) {
                report(&err);
            } else if (t.findings.st[FD_DIVERGED].active || t.findings.st[FD_DIVERGED].hold > 0) {
                report(&err);
            } else if (save_run(&t, save_path, force, &serr) == 0) {
                cli_say("rnnscope: %s; the run is saved to %s (step %ld)\n", err.msg, save_path, t.step);
                last_saved = t.step;
            } else {
                cli_say("rnnscope: %s; and the run could not be saved: %s\n", err.msg, serr.msg);
            }
            status = rc;
            break;
        }
        if (!quiet)
            progress_update(&prog, &info);
        /* a diverged run's state is blown up: keep the last good save instead */
        int sane = !t.findings.st[FD_DIVERGED].active && t.findings.st[FD_DIVERGED].hold == 0;
        if (keep_best && sane && info.evaluated && t.best_step == info.step) {
            /* keep_best_step saves when this evaluation is the best so far */
            if ((rc = trainer_gather_state(&t, &err)) == 0)
                rc = comm_agree(comm, train_is_root(&t) ? keep_best_step(&t, save_path, &info, force, NULL, &err) : 0, &err);
            if (rc) {
                progress_finish(&prog);
                status = report(&err);
                break;
            }
        }
        int due = (save_every > 0 ? info.step % save_every == 0 : info.evaluated) && sane;
        if (due) {
            if ((rc = save_run(&t, save_path, force, &err)) != 0) {
                progress_finish(&prog);
                status = report(&err);
                break;
            }
            last_saved = info.step;
        }
    }
    if (!quiet)
        progress_finish(&prog);
    /* A run that diverged is a failure (exit 1), and its blown-up state is not
     * saved over the last good checkpoint: this session's last save, or the
     * file it resumed from. With neither, it is saved for inspection. */
    int diverged = status == 0 && t.findings.st[FD_DIVERGED].active;
    const char *good = last_saved >= 0 ? save_path : resume;
    long good_step = last_saved >= 0 ? last_saved : first_step;
    int inspected = 0; /* a diverged run with no good checkpoint, saved for inspection */
    if (((status == 0 && !diverged) || (diverged && !good)) && last_saved != t.step && !(t.comm && t.comm->broken)) {
        if ((rc = save_run(&t, save_path, force, &err)) != 0)
            status = report(&err);
        else
            inspected = diverged;
    }
    if (diverged) {
        Finding d;
        findings_get(&t.findings, FD_DIVERGED, &d);
        if (good)
            cli_say("rnnscope: the run diverged at step %ld (%s); the last good checkpoint is %s (step %ld); "
                    "rnnscope diagnose --resume %s says why\n", d.since, d.text, good, good_step, good);
        else if (inspected)
            cli_say("rnnscope: the run diverged at step %ld (%s); its state is saved to %s for inspection; "
                    "rnnscope diagnose --resume %s says why\n", d.since, d.text, save_path, save_path);
        else
            cli_say("rnnscope: the run diverged at step %ld (%s)\n", d.since, d.text);
        status = 1;
    } else if (status == 0 && !quiet) {
        char quoted[2 * TRAIN_PATH_MAX], val[64] = "";
        paths_shell_quote(save_path, quoted, sizeof quoted);
        if (!isnan(t.last_val_loss))
            snprintf(val, sizeof val, ", validation loss %.4f", (double)t.last_val_loss);
        cli_say("rnnscope: %s at step %ld%s; run saved to %s; continue with: rnnscope train --resume %s\n",
                stopping ? "interrupted" : train_control_stopped(&ctl) ? "stopped by :stop" : "done", t.step, val,
                save_path, quoted);
        char best[TRAIN_PATH_MAX + 16];
        keep_best_path(save_path, best, sizeof best);
        if (keep_best && t.best_step > 0 && access(best, F_OK) == 0) {
            cli_say("rnnscope: best validation loss %.4f at step %ld, kept in %s\n",
                    (double)t.best_val_loss, t.best_step, best);
        }
    }
    train_control_end(&ctl, status == 0 && !diverged); /* answers a :stop, removes the socket */
    steplog_close(&log);
    exports_close(&exports);
    trainer_free(&t);
    if (status == 0 && stopping)
        return 130;
    return status;
}
