/* control.c — the control socket's server, parser and client (see control.h).
 *
 * Why non-blocking everywhere: the training loop calls control_poll between
 * steps with a timeout of 0, so nothing a client does (connect and say
 * nothing, send half a line, stop reading its replies) may make a call wait.
 * Each client's bytes are kept until a newline completes a line; a line is
 * answered before the next one of that client is looked at.
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../tui/commands.h" /* the dashboard's command table, for the ranges */
#include "suggest.h"
#include "train_config.h"

/* ---- the commands ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    ControlKind kind;   /* CTL_NONE: :help, answered here */
    const char *usage;  /* for the list of commands */
} ControlSpec;

static const ControlSpec control_table[] = {
    {"pause", CTL_PAUSE, ":pause"},   {"run", CTL_RUN, ":run"},     {"step", CTL_STEP, ":step [N]"},
    {"lr", CTL_LR, ":lr [X]"},        {"clip", CTL_CLIP, ":clip [X]"}, {"save", CTL_SAVE, ":save"},
    {"stop", CTL_STOP, ":stop"},      {"status", CTL_STATUS, ":status"}, {"help", CTL_NONE, ":help"},
};
#define N_CONTROL ((int)(sizeof control_table / sizeof control_table[0]))

const char *control_kind_name(ControlKind k)
{
    for (int i = 0; i < N_CONTROL; i++)
        if (control_table[i].kind == k && k != CTL_NONE)
            return control_table[i].name;
    return "none";
}

static void control_list(char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < N_CONTROL && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "", control_table[i].usage);
}

static int control_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* The dashboard's range of :NAME (src/tui/commands.c), so both check alike. */
static void control_range(const char *name, double *min, double *max)
{
    const TuiCmdSpec *s = commands_find(name);
    *min = s ? s->min : 0;
    *max = s ? s->max : 0;
}

static int control_number(const ControlSpec *c, const char *arg, ControlCmd *out, char *reply, size_t cap)
{
    double min, max;
    control_range(c->name, &min, &max);
    char q[96], range[80];
    train_config_quote(arg, q, sizeof q);
    if (c->kind == CTL_STEP) {
        long long v = 0;
        int rc = train_config_parse_whole(arg, &v);
        if (rc || v < (long long)min || v > (long long)max) {
            train_config_range_text(min, max, 0, 0, 1, range, sizeof range);
            snprintf(reply, cap, "error :step %s: expected a whole number of steps in %s, e.g. :step 10", q, range);
            return 0;
        }
        out->n = (long)v;
        return 1;
    }
    double x = 0;
    int rc = train_config_parse_real(arg, &x);
    if (rc || x < min || x > max) {
        train_config_range_text(min, max, 0, 0, 0, range, sizeof range);
        snprintf(reply, cap, "error :%s %s: expected a number in %s, e.g. :%s %g", c->name, q, range, c->name,
                 c->kind == CTL_LR ? 0.001 : 1.0);
        return 0;
    }
    out->value = x;
    return 1;
}

int control_parse(const char *line, size_t len, ControlCmd *out, char *reply, size_t cap)
{
    out->kind = CTL_NONE;
    out->n = 1;
    out->value = NAN;
    reply[0] = '\0';
    char list[256];
    control_list(list, sizeof list);
    if (len && line[len - 1] == '\r')
        len--;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            snprintf(reply, cap, "error the line holds a control byte (\\x%02X at byte %zu): commands are one line "
                     "of text each; commands: %s", ch, i, list);
            return 0;
        }
    }
    if (len > CONTROL_LINE_MAX) {
        snprintf(reply, cap, "error the line is too long (%zu bytes, at most %d)", len, CONTROL_LINE_MAX);
        return 0;
    }
    while (len && control_blank(*line)) {
        line++;
        len--;
    }
    while (len && control_blank(line[len - 1]))
        len--;
    if (len && *line == ':') {
        line++;
        len--;
    }
    if (!len) {
        snprintf(reply, cap, "error an empty command; commands: %s", list);
        return 0;
    }
    size_t nl = 0;
    while (nl < len && !control_blank(line[nl]))
        nl++;
    char name[CONTROL_LINE_MAX + 1], arg[CONTROL_LINE_MAX + 1];
    memcpy(name, line, nl);
    name[nl] = '\0';
    size_t at = nl;
    while (at < len && control_blank(line[at]))
        at++;
    memcpy(arg, line + at, len - at);
    arg[len - at] = '\0';
    const ControlSpec *c = NULL;
    for (int i = 0; i < N_CONTROL && !c; i++)
        if (!strcmp(control_table[i].name, name))
            c = &control_table[i];
    if (!c) {
        Suggest sg;
        suggest_begin(&sg, name, nl);
        for (int i = 0; i < N_CONTROL; i++)
            suggest_add(&sg, control_table[i].name);
        const char *near = suggest_result(&sg);
        char q[96], hint[64] = "";
        train_config_quote(name, q, sizeof q);
        if (near)
            snprintf(hint, sizeof hint, " (did you mean :%s?)", near);
        snprintf(reply, cap, "error unknown command %s%s; commands: %s", q, hint, list);
        return 0;
    }
    out->kind = c->kind;
    switch (c->kind) {
    case CTL_NONE: /* :help */
        if (arg[0])
            break;
        snprintf(reply, cap, "ok commands: %s (one a line; ':' optional; :lr and :clip alone show the value)", list);
        return 0;
    case CTL_STEP:
    case CTL_LR:
    case CTL_CLIP:
        if (!arg[0])
            return 1; /* :step alone is one step; :lr and :clip alone ask for the value */
        if (control_number(c, arg, out, reply, cap))
            return 1;
        out->kind = CTL_NONE;
        return 0;
    default:
        if (!arg[0])
            return 1;
        break;
    }
    char q[96];
    train_config_quote(arg, q, sizeof q);
    snprintf(reply, cap, "error :%s takes no argument (got %s)%s", c->name, q,
             c->kind == CTL_SAVE ? "; it saves where the run saves (see :status)" : "");
    out->kind = CTL_NONE;
    return 0;
}

/* ---- paths ------------------------------------------------------------------------------- */

int control_abs_path(const char *path, char *out, size_t cap)
{
    char buf[PATH_MAX];
    if (realpath(path, buf))
        return snprintf(out, cap, "%s", buf) < (int)cap ? 0 : -1;
    /* not there yet: its folder's real path and its name */
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    const char *base = slash ? slash + 1 : path;
    if (*base && strcmp(base, ".") && strcmp(base, "..") && realpath(dir, buf))
        return snprintf(out, cap, "%s%s%s", buf, strcmp(buf, "/") ? "/" : "", base) < (int)cap ? 0 : -1;
    if (path[0] == '/')
        return snprintf(out, cap, "%s", path) < (int)cap ? 0 : -1;
    if (!getcwd(buf, sizeof buf))
        return -1;
    return snprintf(out, cap, "%s/%s", buf, path) < (int)cap ? 0 : -1;
}

/* ---- the server -------------------------------------------------------------------------- */

static int control_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? -1 : 0;
}

static void control_fill_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, path, strlen(path) + 1); /* the caller checked the length */
}

void control_init(Control *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->current = -1;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        c->clients[i].fd = -1;
}

int control_listening(const Control *c)
{
    return c->fd >= 0;
}

/* Whether a run listens at path: 1 live, 0 stale (refused), -1 with errno. */
static int control_probe(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || control_nonblock(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    struct sockaddr_un a;
    control_fill_addr(&a, path);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    close(fd);
    if (rc == 0 || e == EAGAIN || e == EINPROGRESS)
        return 1; /* accepted, or its backlog is full: someone listens */
    if (e == ECONNREFUSED)
        return 0;
    errno = e;
    return -1;
}

int control_open(Control *c, const char *log_path, Err *err)
{
    control_init(c);
    struct stat st;
    if (stat(log_path, &st) == 0 && !S_ISREG(st.st_mode))
        return 0; /* /dev/stdout, a pipe: no socket next to it */
    char path[PATH_MAX + 16];
    if (control_abs_path(log_path, path, PATH_MAX) != 0)
        return err_set(err, ERR_INPUT, "control socket: the path of --log %s is too long; not listening", log_path);
    strcat(path, CONTROL_SUFFIX);
    size_t n = strlen(path);
    if (n >= CONTROL_PATH_MAX)
        return err_set(err, ERR_INPUT, "control socket: %s is too long for a Unix socket (%zu bytes, at most %zu); "
                       "not listening (a shorter --log path gives one)", path, n, CONTROL_PATH_MAX - 1);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return err_set(err, ERR_INPUT, "control socket: %s exists and is not a socket; not listening (remove "
                           "it to steer this run)", path);
        int live = control_probe(path);
        if (live == 1)
            return err_set(err, ERR_INPUT, "control socket: %s is live: another run trains with this --log; not "
                           "listening (give this run a --log of its own)", path);
        if (live < 0 && errno != ENOENT)
            return err_set(err, ERR_INPUT, "control socket: %s: %s; not listening", path, strerror(errno));
        if (live == 0 && unlink(path) != 0 && errno != ENOENT) /* stale: its run ended without removing it */
            return err_set(err, ERR_INPUT, "control socket: cannot remove the stale %s: %s; not listening", path,
                           strerror(errno));
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || control_nonblock(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return err_set(err, ERR_INPUT, "control socket: %s: %s; not listening", path, strerror(e));
    }
    struct sockaddr_un a;
    control_fill_addr(&a, path);
    mode_t old = umask(0177); /* the socket is born 0600: no moment where others may connect */
    int rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    umask(old);
    if (rc != 0) {
        close(fd);
        return err_set(err, ERR_INPUT, "control socket: cannot bind %s: %s; not listening", path, strerror(e));
    }
    if (listen(fd, CONTROL_MAX_CLIENTS) != 0 || lstat(path, &st) != 0) {
        e = errno;
        close(fd);
        unlink(path);
        return err_set(err, ERR_INPUT, "control socket: cannot listen on %s: %s; not listening", path, strerror(e));
    }
    c->fd = fd;
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    size_t len = strlen(path); /* fits: checked against sun_path above */
    len = len < sizeof c->path ? len : sizeof c->path - 1;
    memcpy(c->path, path, len);
    c->path[len] = '\0';
    return 0;
}

static void control_drop(ControlClient *k)
{
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
    k->len = 0;
    k->discard = 0;
    k->eof = 0;
}

/* The whole line at once or the client is gone: it does not read its replies. */
static void control_send_line(ControlClient *k, const char *line)
{
    size_t n = strlen(line);
    ssize_t w;
    do
        w = send(k->fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (w < 0 && errno == EINTR);
    if (w != (ssize_t)n)
        control_drop(k);
}

static void control_read(ControlClient *k);

static void control_accept(Control *c)
{
    for (;;) {
        int fd = accept(c->fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN: no more; EMFILE and the like: try again next time */
        }
        if (control_nonblock(fd) < 0) {
            close(fd);
            continue;
        }
        ControlClient *slot = NULL, *oldest = NULL;
        for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
            ControlClient *k = &c->clients[i];
            if (k->fd < 0 && !slot)
                slot = k;
            if (k->fd >= 0 && (!oldest || k->serial < oldest->serial))
                oldest = k;
        }
        if (!slot) {
            char why[128];
            snprintf(why, sizeof why, "error too many control connections (%d): this one, the oldest, is closed\n",
                     CONTROL_MAX_CLIENTS);
            control_send_line(oldest, why);
            control_drop(oldest);
            slot = oldest;
        }
        memset(slot, 0, sizeof *slot);
        slot->fd = fd;
        slot->serial = ++c->serial;
        control_read(slot); /* what it sent with its connect */
    }
}

static void control_read(ControlClient *k)
{
    while (k->fd >= 0 && !k->eof && k->len < sizeof k->buf) {
        ssize_t r = recv(k->fd, k->buf + k->len, sizeof k->buf - k->len, MSG_DONTWAIT);
        if (r > 0)
            k->len += (size_t)r;
        else if (r == 0)
            k->eof = 1;
        else if (errno == EINTR)
            continue;
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        else
            control_drop(k); /* ECONNRESET and the like */
    }
}

static void control_consume(ControlClient *k, size_t n)
{
    memmove(k->buf, k->buf + n, k->len - n);
    k->len -= n;
}

/* The next complete line of client k: 1 with a command, 0 when it has none
 * (malformed lines are answered on the way). */
static int control_client_line(ControlClient *k, ControlCmd *out)
{
    char reply[CONTROL_REPLY_MAX];
    while (k->fd >= 0) {
        char *nl = memchr(k->buf, '\n', k->len);
        if (!nl) {
            if (k->discard) {
                k->len = 0;
            } else if (k->len > CONTROL_LINE_MAX + 1) { /* + 1: a '\r' before the newline */
                snprintf(reply, sizeof reply, "error the line is too long (over %d bytes); commands are one short "
                         "line each\n", CONTROL_LINE_MAX);
                control_send_line(k, reply);
                k->len = 0;
                k->discard = 1;
            }
            if (k->fd >= 0 && k->eof)
                control_drop(k); /* answered all it sent; half a line at the end is not a command */
            return 0;
        }
        size_t n = (size_t)(nl - k->buf);
        if (k->discard) {
            k->discard = 0;
            control_consume(k, n + 1);
            continue;
        }
        int is_cmd = control_parse(k->buf, n, out, reply, sizeof reply - 1);
        control_consume(k, n + 1);
        if (is_cmd)
            return 1;
        strcat(reply, "\n");
        control_send_line(k, reply);
    }
    return 0;
}

static int control_next(Control *c, ControlCmd *out)
{
    for (int j = 0; j < CONTROL_MAX_CLIENTS; j++) {
        int i = (c->scan + j) % CONTROL_MAX_CLIENTS;
        ControlClient *k = &c->clients[i];
        if (k->fd >= 0 && control_client_line(k, out)) {
            c->current = i;
            c->scan = (i + 1) % CONTROL_MAX_CLIENTS;
            return 1;
        }
    }
    return 0;
}

int control_poll(Control *c, int timeout_ms, ControlCmd *out)
{
    c->current = -1;
    if (c->fd < 0) {
        if (timeout_ms > 0)
            poll(NULL, 0, timeout_ms);
        return 0;
    }
    if (control_next(c, out))
        return 1;
    struct pollfd p[1 + CONTROL_MAX_CLIENTS];
    int map[1 + CONTROL_MAX_CLIENTS], n = 0;
    p[n].fd = c->fd;
    p[n].events = POLLIN;
    map[n++] = -1;
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        ControlClient *k = &c->clients[i];
        if (k->fd < 0 || k->eof || k->len >= sizeof k->buf)
            continue;
        p[n].fd = k->fd;
        p[n].events = POLLIN;
        map[n++] = i;
    }
    int rc = poll(p, (nfds_t)n, timeout_ms);
    if (rc <= 0)
        return 0; /* nothing, or a signal (EINTR): the caller looks at its stop flag */
    for (int j = 1; j < n; j++)
        if (p[j].revents)
            control_read(&c->clients[map[j]]);
    if (p[0].revents & POLLIN)
        control_accept(c);
    return control_next(c, out);
}

void control_reply(Control *c, const char *fmt, ...)
{
    if (c->current < 0 || c->clients[c->current].fd < 0)
        return;
    char line[CONTROL_REPLY_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    for (char *s = line; *s; s++)
        if ((unsigned char)*s < 0x20)
            *s = ' '; /* one reply, one line */
    strcat(line, "\n");
    control_send_line(&c->clients[c->current], line);
}

void control_close(Control *c)
{
    for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
        if (c->clients[i].fd >= 0)
            control_drop(&c->clients[i]);
    if (c->fd >= 0) {
        struct stat st;
        if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
            unlink(c->path);
        close(c->fd);
    }
    c->fd = -1;
    c->path[0] = '\0';
    c->current = -1;
}

/* ---- the client -------------------------------------------------------------------------- */

static double control_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int control_wait(int fd, short events, double deadline)
{
    for (;;) {
        double left = deadline - control_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, left > 1e9 ? 1000000000 : (int)left + 1);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

static int control_not_listening(const char *path, Err *err)
{
    return err_set(err, ERR_INPUT, "no run is listening on %s (it has ended, or was started without --log)", path);
}

int control_send(const char *sock_path, const char *line, char *reply, size_t cap, int timeout_ms, Err *err)
{
    if (cap)
        reply[0] = '\0';
    if (strlen(sock_path) >= CONTROL_PATH_MAX)
        return err_set(err, ERR_INPUT, "%s is too long for a Unix socket (%zu bytes, at most %zu)", sock_path,
                       strlen(sock_path), CONTROL_PATH_MAX - 1);
    if (strchr(line, '\n') || strlen(line) > CONTROL_LINE_MAX)
        return err_set(err, ERR_INPUT, "a command is one line of at most %d bytes", CONTROL_LINE_MAX);
    double deadline = control_now_ms() + timeout_ms;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || control_nonblock(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return err_set(err, ERR_RUNTIME, "%s: %s", sock_path, strerror(e));
    }
    struct sockaddr_un a;
    control_fill_addr(&a, sock_path);
    for (;;) {
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            break;
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == EAGAIN || e == EINPROGRESS) { /* its backlog is full: wait a little */
            if (control_now_ms() >= deadline)
                break;
            poll(NULL, 0, 20);
            continue;
        }
        close(fd);
        if (e == ENOENT || e == ECONNREFUSED || e == ENOTSOCK || e == ENOTDIR || e == EPROTOTYPE)
            return control_not_listening(sock_path, err);
        return err_set(err, ERR_RUNTIME, "cannot connect to %s: %s", sock_path, strerror(e));
    }
    char out[CONTROL_LINE_MAX + 2];
    int n = snprintf(out, sizeof out, "%s\n", line);
    size_t sent = 0;
    while (sent < (size_t)n) {
        ssize_t w = send(fd, out + sent, (size_t)n - sent, MSG_NOSIGNAL);
        if (w > 0) {
            sent += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN) &&
            control_wait(fd, POLLOUT, deadline) > 0)
            continue;
        int e = errno;
        close(fd);
        return err_set(err, ERR_RUNTIME, "cannot send to %s: %s", sock_path, w < 0 ? strerror(e) : "timed out");
    }
    size_t got = 0;
    for (;;) {
        char ch;
        ssize_t r = recv(fd, &ch, 1, 0);
        if (r == 1) {
            if (ch == '\n')
                break;
            if (got + 1 < cap)
                reply[got++] = ch;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = control_wait(fd, POLLIN, deadline);
            if (w > 0)
                continue;
            close(fd);
            if (w == 0)
                return err_set(err, ERR_RUNTIME, "%s: no reply within %.3g s (a long step or evaluation?)", sock_path,
                               timeout_ms / 1e3);
            return err_set(err, ERR_RUNTIME, "%s: %s", sock_path, strerror(errno));
        }
        int e = errno;
        close(fd);
        if (r == 0)
            return err_set(err, ERR_RUNTIME, "%s closed the connection without a reply (the run may have ended)",
                           sock_path);
        return err_set(err, ERR_RUNTIME, "%s: %s", sock_path, strerror(e));
    }
    close(fd);
    if (cap)
        reply[got] = '\0';
    return 0;
}
