/* cmd_control.c — `rnnscope control RUN COMMAND...`: one command to a
 * headless run's control socket (control.h), its reply printed.
 *
 * RUN is the run's --log FILE, its socket FILE.sock, or a checkpoint whose
 * "run.log" metadata names the log. The words of COMMAND are one line
 * ("lr 0.001", ":step 5"). Exit status: 0 on an "ok" reply (printed on
 * stdout), 1 on an "error" reply (on stderr) or when no reply came, 2 when no
 * run listens there or the arguments are wrong.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "control.h"
#include "flags.h"
#include "safetensors.h"

/* A safetensors file by its first bytes: a header length that fits the file,
 * then '{'. (A log starts with '{' itself; reading it whole would be wasted.) */
static int control_is_checkpoint(const char *path, off_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char b[9];
    size_t got = fread(b, 1, sizeof b, f);
    fclose(f);
    if (got != sizeof b)
        return 0;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | b[i];
    return b[8] == '{' && n >= 2 && n <= (uint64_t)size - 8;
}

/* The socket of RUN into out (see the top of the file). */
static int control_socket_of(const char *run, char *out, size_t cap, Err *err)
{
    struct stat st;
    char sock[TRAIN_PATH_MAX + 8];
    snprintf(sock, sizeof sock, "%s%s", run, CONTROL_SUFFIX);
    if (lstat(run, &st) == 0 && S_ISSOCK(st.st_mode)) {
        snprintf(out, cap, "%s", run);
        return 0;
    }
    struct stat ss;
    if (lstat(sock, &ss) == 0) {
        snprintf(out, cap, "%s", sock);
        return 0;
    }
    if (stat(run, &st) != 0)
        return err_set(err, ERR_INPUT, "%s: %s (give the --log FILE of a run, its FILE.sock, or its checkpoint)", run,
                       strerror(errno));
    if (S_ISREG(st.st_mode) && control_is_checkpoint(run, st.st_size)) {
        StFile f;
        int rc = st_read(&f, run, err);
        if (rc)
            return rc;
        const char *log = st_meta(&f, "run.log");
        if (!log || !*log) {
            st_free(&f);
            return err_set(err, ERR_INPUT, "%s: the checkpoint names no --log file (run.log): its run was saved "
                           "without --log; give the log or its .sock", run);
        }
        snprintf(out, cap, "%s%s", log, CONTROL_SUFFIX);
        st_free(&f);
        return 0;
    }
    snprintf(out, cap, "%s", sock);
    return 0;
}

/* "-0.1" as a command's word is not a flag: "--" before it, once. */
static int control_args(int argc, char **argv, char **out)
{
    int n = 0, dashes = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            dashes = 1;
        if (!dashes && a[0] == '-' && ((a[1] >= '0' && a[1] <= '9') || a[1] == '.')) {
            out[n++] = "--";
            dashes = 1;
        }
        out[n++] = argv[i];
    }
    return n;
}

#define CONTROL_MAX_WORDS 32

int cmd_control(int argc, char **argv)
{
    float timeout = 30;
    const CliOpt opts[] = {
        {"timeout", CLI_FLOAT, &timeout, 0.1, 86400, "S", "wait at most S seconds for the reply"},
    };
    char *pos[CONTROL_MAX_WORDS + 1];
    CliSpec spec = {
        .usage = "rnnscope control RUN COMMAND...",
        .summary = "Send one command to a headless run (rnnscope train --log FILE) through its control socket\n"
                   "FILE.sock, and print the reply. RUN is the --log FILE, FILE.sock, or a checkpoint of the run\n"
                   "(its run.log names the log). Commands, applied between steps (the ':' is optional):\n"
                   "  :pause  :run  :step [N]  :lr [X]  :clip [X]  :save  :stop  :status  :help\n"
                   ":lr and :clip alone show the value; :stop saves the run and ends it with exit status 0,\n"
                   "and its reply comes once the run is saved. :status prints ok and one JSON object.\n"
                   "Exit status: 0 on an ok reply (stdout), 1 on an error reply (stderr) or none in time,\n"
                   "2 when no run listens on the socket.",
        .opts = opts, .n_opts = 1, .min_pos = 2, .max_pos = CONTROL_MAX_WORDS + 1, .pos = pos,
    };
    char **args = malloc(sizeof *args * (size_t)(argc + 1));
    if (!args)
        return 1;
    int n_args = control_args(argc, argv, args);
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, n_args, args, &err);
    free(args);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    char line[CONTROL_LINE_MAX + 1] = "";
    size_t len = 0;
    for (int i = 1; i < spec.n_pos; i++) {
        size_t w = strlen(pos[i]);
        if (len + (i > 1) + w > CONTROL_LINE_MAX) {
            err_set(&err, ERR_INPUT, "control: the command is longer than %d bytes", CONTROL_LINE_MAX);
            return report(&err);
        }
        if (i > 1)
            line[len++] = ' ';
        memcpy(line + len, pos[i], w + 1);
        len += w;
    }
    char sock[TRAIN_PATH_MAX + 16];
    if ((rc = control_socket_of(pos[0], sock, sizeof sock, &err)) != 0) {
        fprintf(stderr, "rnnscope: control: %s\n", err.msg);
        return ERR_INPUT;
    }
    char reply[CONTROL_REPLY_MAX];
    rc = control_send(sock, line, reply, sizeof reply, (int)(timeout * 1000), &err);
    if (rc) {
        fprintf(stderr, "rnnscope: control: %s\n", err.msg);
        return rc == ERR_INPUT ? ERR_INPUT : ERR_RUNTIME;
    }
    if (!strncmp(reply, "ok", 2) && (reply[2] == ' ' || !reply[2])) {
        printf("%s\n", reply);
        return 0;
    }
    fprintf(stderr, "rnnscope: control: %s\n", reply);
    return 1;
}
