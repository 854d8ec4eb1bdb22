/* paths.c — rnnscope's own directories and shared path handling (see paths.h). */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

void paths_state_dir(char *out, size_t cap)
{
    const char *x = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (x && x[0] == '/')
        snprintf(out, cap, "%s/rnnscope", x);
    else
        snprintf(out, cap, "%s/.local/state/rnnscope", home && *home ? home : ".");
}

/* Make one folder; 0 if it is (now) a folder. */
static int paths_mkdir_one(const char *dir, Err *err)
{
    struct stat st;
    if (mkdir(dir, 0755) == 0)
        return 0;
    int e = errno;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        return err_set(err, ERR_INPUT, "cannot create folder %s: a file of that name is in the way", dir);
    }
    return err_set(err, ERR_INPUT, "cannot create folder %s: %s", dir, strerror(e));
}

int paths_mkdir_p(const char *dir, Err *err)
{
    char buf[4096];
    if (!dir || !*dir)
        return 0;
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return err_set(err, ERR_INPUT, "cannot create folder %.200s...: the path is too long", dir);
    struct stat st;
    if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        int rc = paths_mkdir_one(buf, err);
        *p = '/';
        if (rc)
            return rc;
    }
    return paths_mkdir_one(buf, err);
}

int paths_make_parent(const char *path, Err *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path) >= (int)sizeof dir)
        return err_set(err, ERR_INPUT, "cannot create the folder of %.200s...: the path is too long", path);
    return paths_mkdir_p(dir, err);
}

void paths_expand_home(const char *in, char *out, size_t cap)
{
    const char *home = getenv("HOME");
    if (in[0] == '~' && (in[1] == '\0' || in[1] == '/') && home && *home)
        snprintf(out, cap, "%s%s", home, in + 1);
    else
        snprintf(out, cap, "%s", in);
}

int paths_next_word(const char **s, char *out, size_t cap)
{
    const char *p = *s;
    size_t n = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) {
        *s = p;
        return 0;
    }
    char quote = 0;
    for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
        char ch = *p;
        if (quote == '\'' && ch == '\'') {
            quote = 0;
            continue;
        }
        if (!quote && (ch == '\'' || ch == '"')) {
            quote = ch;
            continue;
        }
        if (quote == '"' && ch == '"') {
            quote = 0;
            continue;
        }
        if (ch == '\\' && quote != '\'' && p[1]) {
            ch = *++p;
        }
        if (n + 1 < cap)
            out[n++] = ch;
    }
    out[n] = '\0';
    *s = p;
    return quote ? -1 : 1;
}

int paths_user_path(const char *arg, char *out, size_t cap, char *why, size_t why_cap)
{
    char word[4096];
    if (strpbrk(arg, "\"'\\")) {
        const char *p = arg;
        int got = paths_next_word(&p, word, sizeof word);
        char rest[8];
        if (got < 0) {
            snprintf(why, why_cap, "%s: a quote is not closed", arg);
            return -1;
        }
        if (got == 0 || paths_next_word(&p, rest, sizeof rest) != 0) {
            snprintf(why, why_cap, "%s: expected one path (quote a path with spaces: \"my runs/a.safetensors\")",
                     arg);
            return -1;
        }
    } else {
        snprintf(word, sizeof word, "%s", arg);
    }
    paths_expand_home(word, out, cap);
    return 0;
}

void paths_shell_quote(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+=,-") == strlen(s)) {
        snprintf(out, cap, "%s", s);
        return;
    }
    if (cap < 3) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[n++] = '\'';
    for (; *s && n + 5 < cap; s++) {
        if (*s == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *s;
        }
    }
    out[n++] = '\'';
    out[n] = '\0';
}

/* ---- the files rnnscope ships ---------------------------------------------- */

#ifndef RNNSCOPE_PREFIX
#define RNNSCOPE_PREFIX "/usr/local"
#endif

/* The folder the running program is in, or 0 (no /proc, e.g. not Linux). */
static int paths_exe_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    return snprintf(out, cap, "%s", exe) < (int)cap;
}

int paths_shipped_dir(const char *kind, int i, char *out, size_t cap)
{
    char exe[PATH_MAX];
    int n = -1;
    switch (i) {
    case 0: n = snprintf(out, cap, "%s", kind); break;
    case 1: if (paths_exe_dir(exe, sizeof exe)) n = snprintf(out, cap, "%s/../%s", exe, kind); break;
    case 2: if (paths_exe_dir(exe, sizeof exe)) n = snprintf(out, cap, "%s/../share/rnnscope/%s", exe, kind); break;
    case 3: n = snprintf(out, cap, "%s/share/rnnscope/%s", RNNSCOPE_PREFIX, kind); break;
    default: break;
    }
    return n >= 0 && (size_t)n < cap;
}

int paths_find_shipped(const char *kind, const char *name, char *out, size_t cap)
{
    for (int i = 0; i < PATHS_SHIPPED_DIRS; i++) {
        char dir[PATH_MAX], path[PATH_MAX];
        if (!paths_shipped_dir(kind, i, dir, sizeof dir) ||
            snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path || access(path, R_OK) != 0)
            continue;
        char canon[PATH_MAX];
        if (!realpath(path, canon) || snprintf(out, cap, "%s", canon) >= (int)cap)
            continue;
        return 1;
    }
    return 0;
}
