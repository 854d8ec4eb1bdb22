/* control.h — the control socket of a headless run, and its client.
 *
 * A `rnnscope train --headless --log FILE` run listens on a Unix domain
 * socket at FILE.sock (absolute, mode 0600: its owner only; nothing listens on
 * a network port). Clients send one command per line and get exactly one
 * reply line per command: "ok ..." or "error ...". The commands are the
 * dashboard's ':' commands that steer training — :pause, :run, :step [N],
 * :lr [X], :clip [X], :save, :stop — plus :status (the run's state as one JSON
 * object) and :help; the leading ':' is optional and names are exact (no
 * prefixes). Numbers are checked as the dashboard checks them (its table in
 * src/tui/commands.c gives the ranges), with the command line's strict syntax
 * (train_config_parse_real / _whole: no "0x10", "nan", "1e3" for a count).
 *
 * What is not a command is answered here and never reaches the caller: an
 * unknown name (with a did-you-mean and the list of commands), a bad number,
 * a line longer than CONTROL_LINE_MAX bytes, control bytes (binary garbage),
 * an empty line. A line counts once its newline has arrived; a client that
 * sends nothing, or half a line, costs nothing: every socket is non-blocking
 * and control_poll never waits longer than its timeout. At most
 * CONTROL_MAX_CLIENTS connections are kept; a new one beyond that closes the
 * oldest.
 *
 * Core knows nothing of this (cli layer); the training loop's side is
 * train_control.h.
 */
#ifndef RNNSCOPE_CONTROL_H
#define RNNSCOPE_CONTROL_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

#include "err.h"

#define CONTROL_SUFFIX ".sock"
#define CONTROL_LINE_MAX 512    /* bytes of one command line, its newline not counted */
#define CONTROL_MAX_CLIENTS 8
#define CONTROL_REPLY_MAX 4096  /* bytes of one reply line, its newline included */
#define CONTROL_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path) /* with the NUL */

typedef enum { CTL_NONE, CTL_PAUSE, CTL_RUN, CTL_STEP, CTL_LR, CTL_CLIP, CTL_SAVE, CTL_STOP, CTL_STATUS } ControlKind;

/* One parsed command: plain bytes, no pointers, so rank 0 of a data-parallel
 * run can broadcast it to the others as it is. n: the steps of CTL_STEP (1 by
 * default). value: the new lr or clip of CTL_LR / CTL_CLIP, or NAN when the
 * command came without one (":lr" alone asks for the value). */
typedef struct {
    ControlKind kind;
    long n;
    double value;
} ControlCmd;

typedef struct {
    int fd;                 /* -1: a free slot */
    unsigned long serial;   /* accept order: the oldest is dropped first */
    size_t len;             /* bytes held in buf */
    int discard;            /* 1: skipping an over-long line up to its newline */
    int eof;                /* the client closed its side: close once its lines are answered */
    char buf[2 * CONTROL_LINE_MAX];
} ControlClient;

typedef struct {
    int fd;                         /* the listening socket; -1 when not listening */
    char path[CONTROL_PATH_MAX];    /* its absolute path; "" when not listening */
    dev_t dev;                      /* the socket file bound, so control_close removes */
    ino_t ino;                      /* only its own (not one another run put there since) */
    ControlClient clients[CONTROL_MAX_CLIENTS];
    int current;                    /* the client of the last command returned, -1 none */
    int scan;                       /* where the next search for a line starts (fairness) */
    unsigned long serial;
} Control;

/* Not listening (control_poll returns 0, control_close does nothing). */
void control_init(Control *c);

/* Listen at log_path + ".sock", made absolute. 0 when listening, and also when
 * the log is not a regular file (/dev/stdout, a pipe: no socket then, quietly).
 * ERR_INPUT with one line, and not listening, when the path does not fit a
 * sockaddr_un, when a live socket is there (connect() succeeds: another run
 * uses this log), when something that is not a socket is there, or when the
 * socket cannot be made; a stale socket (connect() refused: its run ended
 * without removing it) is replaced. Created under umask 0177, so it is never
 * wider than 0600. */
int control_open(Control *c, const char *log_path, Err *err);

/* 1 if listening. */
int control_listening(const Control *c);

/* Waits at most timeout_ms (0: not at all) for input: accepts new clients,
 * reads what they sent, answers malformed lines itself. 1 with *out when a
 * command is ready (answer it with control_reply), else 0. */
int control_poll(Control *c, int timeout_ms, ControlCmd *out);

/* One reply line (printf format, no newline; one is added, and any control
 * byte becomes a space) to the client whose command control_poll returned
 * last. A client that does not take it at once (it does not read its
 * replies) is dropped. */
void control_reply(Control *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Closes every connection and removes the socket (if it is still ours). */
void control_close(Control *c);

/* The parser alone (for the fuzzer and the tests): line[0..len) without its
 * newline (a trailing '\r' is dropped). 1 with *out for a command; 0 with the
 * reply line to send in reply (an "error ..." line, or :help's "ok ..."). */
int control_parse(const char *line, size_t len, ControlCmd *out, char *reply, size_t cap);

/* "pause", "lr", ... (without ':'). */
const char *control_kind_name(ControlKind k);

/* The client: connect to the socket at sock_path, send line (one command, no
 * newline) and read its reply line into reply (without the newline, cut to
 * cap - 1 bytes), all within timeout_ms. 0 with the reply ("ok ..." or
 * "error ..."); ERR_INPUT when no run listens there (no such file, not a
 * socket, a stale socket); ERR_RUNTIME for anything else (no reply in time,
 * the connection closed first, permission denied). */
int control_send(const char *sock_path, const char *line, char *reply, size_t cap, int timeout_ms, Err *err);

/* path made absolute without needing it to exist (realpath of it, else of its
 * folder, else joined to the working directory). 0, or -1 if it does not fit. */
int control_abs_path(const char *path, char *out, size_t cap);

#endif
