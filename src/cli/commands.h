/* commands.h — the subcommands of the rnnscope binary and their shared helpers.
 * Each cmd_* takes the arguments after its own name and returns the process
 * exit status: 0 success, 1 runtime failure, 2 bad usage or input. */
#ifndef RNNSCOPE_COMMANDS_H
#define RNNSCOPE_COMMANDS_H

#include "err.h"
#include "trainer.h"

int cmd_train(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_grad(int argc, char **argv);
int cmd_gradcheck(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tui(int argc, char **argv);
/* 1 if `train` with these arguments should open the dashboard (cmd_tui.c). */
int cmd_tui_wanted(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_units(int argc, char **argv);
/* `rnnscope control RUN COMMAND...`: one command to a headless run's control socket (cmd_control.c). */
int cmd_control(int argc, char **argv);
/* `rnnscope watch RUN`: the dashboard on a run training elsewhere (cmd_watch.c). */
int cmd_watch(int argc, char **argv);

/* Headless runs: SIGINT, SIGTERM, SIGHUP (an SSH session closing) and SIGUSR1 ask the
 * run to stop after its current step, and save; cli_stop_requested() says
 * whether one came. */
void cli_catch_stop_signals(void);
int cli_stop_requested(void);
/* For a rank of an mpirun job: the line written at once when SIGTERM comes
 * (the launcher ends the job that way when a rank dies, and kills the rest
 * a moment later, before a step could finish): what stopped and where the
 * last checkpoint is. */
void cli_set_term_note(const char *line);

/* Print "rnnscope: <message>" to stderr and return the error's exit status. */
int report(const Err *err);
/* on = 1: report() and cli_say() print nothing (the ranks of a data-parallel
 * run other than 0: rank 0 speaks for the run; their stderr stays open for
 * what is not the run's to say, a sanitizer's report or an abort) */
void cli_silence_reports(int on);
/* fprintf to stderr, unless silenced */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The shipped default corpus: ./corpora/NAME, then next to the executable
 * (../corpora, ../share/rnnscope/corpora), then the install prefix. Returns a
 * static path; the first candidate if none exists (so the error names it). */
const char *default_corpus_path(void);
/* "resuming RUN: corpus PATH from the checkpoint (...)" when --resume took the
 * corpus from the checkpoint (no --corpus given): 1 and the line in out. */
int cli_resumed_corpus(const char *resume, const Trainer *t, const int *overridden, char *out, size_t cap);

#define DEFAULT_CORPUS_NAME "lighthouse.txt"

#endif
