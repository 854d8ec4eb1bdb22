/* err.h — how core code reports failure.
 *
 * Core functions never print and never exit. A function that can fail takes an
 * `Err *` as its last argument, fills it with one human-readable line (naming
 * the file, flag or byte offset at fault and what to do) and returns a nonzero
 * status: ERR_RUNTIME for failures of the machine or the run, ERR_INPUT for bad
 * input from the user. The status doubles as the process exit code in the CLI.
 */
#ifndef RNNSCOPE_ERR_H
#define RNNSCOPE_ERR_H

#include <stddef.h>

enum { ERR_OK = 0, ERR_RUNTIME = 1, ERR_INPUT = 2 };

typedef struct {
    int code;       /* ERR_OK, ERR_RUNTIME or ERR_INPUT */
    char msg[512];  /* one line, no trailing newline */
} Err;

/* Fill *e (if non-NULL) with a printf-style message; returns code. */
int err_set(Err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear *e to ERR_OK and an empty message. */
void err_clear(Err *e);

/* Allocation that cannot fail: on out-of-memory prints one line and aborts.
 * The only place core code may terminate the process (STYLE.md: die() only for
 * out-of-memory). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
