/* flags.h — command-line parsing for the subcommands.
 *
 * A command describes its own options in a table of CliOpt and may also accept
 * every training setting (the table in train_config.h). Values come as
 * "--name value" or "--name=value"; CLI_FLAG options take no value. Anything
 * wrong (unknown flag, missing value, non-number, out of range, wrong number
 * of positional arguments) is one line naming the flag, returned as ERR_INPUT.
 *
 * Strictly: whole numbers are [-]digits only (no "+5", " 5", "0x10", "1e3",
 * "5.0"), real numbers [-]digits[.digits][e[+-]digits] (no nan, inf, hex
 * floats); a string option other than free TEXT is a path or name: not empty,
 * at most TRAIN_PATH_MAX - 1 bytes, no control characters. A flag given twice
 * is an error (not "last wins"), and so is a separate value that starts with
 * "--" ("--save --lr": write --save=--lr to mean it).
 */
#ifndef RNNSCOPE_FLAGS_H
#define RNNSCOPE_FLAGS_H

#include <stdio.h>

#include "err.h"
#include "train_config.h"

typedef enum { CLI_STR, CLI_INT, CLI_LONG, CLI_FLOAT, CLI_FLAG } CliKind;

typedef struct {
    const char *name;    /* without "--" */
    CliKind kind;
    void *dest;          /* char **, int *, long *, float *, int * */
    double min, max;     /* numeric range, inclusive */
    const char *metavar; /* e.g. "PATH"; NULL for flags */
    const char *help;    /* one line; the default is printed from *dest */
} CliOpt;

typedef struct {
    const char *usage;       /* "rnnscope sample CKPT [options]" */
    const char *summary;     /* one or two sentences */
    const CliOpt *opts;
    int n_opts;
    TrainConfig *train;      /* non-NULL: the training settings are accepted too */
    const char *const *train_only; /* NULL-terminated names: only these settings (NULL: all) */
    int *overridden;         /* (train_config_n_fields()) set to 1 for each one given */
    int min_pos, max_pos;    /* positional arguments allowed */
    char **pos;              /* (max_pos) filled with the positional arguments */
    int n_pos;
} CliSpec;

/* Parse argv[0..argc) (the arguments after the subcommand name). Returns 0,
 * ERR_INPUT, or -1 when --help was printed to stdout. */
int cli_parse(CliSpec *s, int argc, char **argv, Err *err);
void cli_help(const CliSpec *s, FILE *out);

#endif
