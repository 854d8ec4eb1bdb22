/* run_guard.c — a save never silently replaces a different run (see run_guard.h). */
#include "run_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "paths.h"

#define GUARD_MAX_HEADER (256u << 20) /* a larger header is not one of ours */

void run_ident(const Trainer *t, RunIdent *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", t->run_id);
    snprintf(out->origin, sizeof out->origin, "%s", t->origin);
    out->step = t->step;
    out->cell = t->model.cfg.cell;
    out->layers = t->model.cfg.layers;
    out->hidden = t->model.cfg.hidden;
}

void run_id_new(char out[RUN_ID_CAP])
{
    uint64_t x[2] = {0, 0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, x, sizeof x) != (ssize_t)sizeof x)
            x[0] = x[1] = 0;
        close(fd);
    }
    if (!x[0] && !x[1]) { /* no /dev/urandom: the time, the process and an address */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        x[0] = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40);
        x[1] = (uint64_t)(uintptr_t)out * 0x9e3779b97f4a7c15u ^ (uint64_t)clock();
    }
    snprintf(out, RUN_ID_CAP, "%016llx%016llx", (unsigned long long)x[0], (unsigned long long)x[1]);
}

/* The metadata of the safetensors file at path, read from its header only.
 * 0 with *meta (an object, or JSON_NULL when there is none) in *root; -1 if
 * the file is not a safetensors file. */
static int guard_read_meta(const char *path, JsonValue *root, const JsonValue **meta)
{
    memset(root, 0, sizeof *root); /* JSON_NULL: json_free is safe whatever happens */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char len8[8];
    uint64_t hl = 0;
    int ok = read(fd, len8, 8) == 8;
    for (int i = 0; ok && i < 8; i++)
        hl |= (uint64_t)len8[i] << (8 * i);
    ok = ok && hl > 1 && hl < GUARD_MAX_HEADER;
    char *h = ok ? xmalloc((size_t)hl) : NULL;
    size_t got = 0;
    while (ok && got < hl) {
        ssize_t r = read(fd, h + got, (size_t)hl - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            ok = 0;
        else
            got += (size_t)r;
    }
    close(fd);
    Err e;
    ok = ok && json_parse(h, (size_t)hl, root, NULL, &e) == 0 && root->type == JSON_OBJECT;
    free(h);
    if (!ok)
        return -1;
    *meta = json_get(root, "__metadata__");
    return 0;
}

static const char *guard_meta(const JsonValue *meta, const char *key)
{
    const JsonValue *v = meta ? json_get(meta, key) : NULL;
    return v && v->type == JSON_STRING ? v->string : NULL;
}

/* path names the same file as origin (the one the run was resumed from). */
static int guard_is_origin(const RunIdent *r, const char *path)
{
    char canon[PATH_MAX];
    return r->origin[0] && realpath(path, canon) && !strcmp(canon, r->origin);
}

int run_guard_check(const RunIdent *r, const char *path, const char *force_hint, Err *err)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0; /* nothing there, or not a file: st_check_save_path says what is wrong */
    JsonValue root;
    const JsonValue *meta = NULL;
    const char *hint = force_hint ? force_hint : "force it to replace the file";
    if (guard_read_meta(path, &root, &meta) != 0) {
        json_free(&root);
        if (guard_is_origin(r, path))
            return 0;
        return err_set(err, ERR_INPUT, "not saving over %s: it is not an rnnscope checkpoint; give another path, "
                       "or %s", path, hint);
    }
    const char *id = guard_meta(meta, "run.id"), *sstep = guard_meta(meta, "run.step");
    const char *cell = guard_meta(meta, "cell"), *layers = guard_meta(meta, "layers");
    const char *hidden = guard_meta(meta, "hidden");
    long fstep = sstep ? strtol(sstep, NULL, 10) : 0;
    char what[160];
    if (cell && layers && hidden && sstep)
        snprintf(what, sizeof what, "%.16s %.8sx%.8s, step %ld", cell, layers, hidden, fstep);
    else if (cell && layers && hidden)
        snprintf(what, sizeof what, "a %.16s %.8sx%.8s model without run state", cell, layers, hidden);
    else
        snprintf(what, sizeof what, "not an rnnscope model");
    int rc = 0;
    if (id && !strcmp(id, r->id)) {
        if (fstep > r->step)
            rc = err_set(err, ERR_INPUT, "not saving over %s: it holds a later point of this run (step %ld; this one "
                         "is at step %ld); give another path, or %s", path, fstep, r->step, hint);
    } else if (id || !guard_is_origin(r, path)) {
        rc = err_set(err, ERR_INPUT, "not saving over %s: it holds another run (%s), not this one (%s %dx%d, step %ld); "
                     "give another path, or %s", path, what, cell_name(r->cell), r->layers, r->hidden, r->step, hint);
    }
    json_free(&root);
    return rc;
}

int run_guard_save(const Trainer *t, const char *path, int force, const char *force_hint, Err *err)
{
    if (!force) {
        RunIdent r;
        run_ident(t, &r);
        int rc = run_guard_check(&r, path, force_hint, err);
        if (rc)
            return rc;
    }
    return trainer_save(t, path, err);
}

static int guard_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int run_unique_path(const char *dir, const TrainConfig *c, char *out, size_t cap, Err *err)
{
    int rc = paths_mkdir_p(dir, err);
    if (rc)
        return rc;
    const char *base = strrchr(c->corpus, '/');
    base = base ? base + 1 : c->corpus;
    size_t len = strcspn(base, ".");
    if (len == 0)
        len = strlen(base);
    if (len > 64)
        len = 64;
    time_t now = time(NULL);
    struct tm tmv;
    char stamp[32] = "run";
    if (localtime_r(&now, &tmv))
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M", &tmv);
    for (int n = 1; n < 10000; n++) {
        char suffix[16] = "", best[TRAIN_PATH_MAX + 32];
        if (n > 1)
            snprintf(suffix, sizeof suffix, "-%d", n);
        if (snprintf(out, cap, "%s/%.*s-%s-%dx%d-%s%s.safetensors", dir, (int)len, base, cell_name(c->cell), c->layers,
                     c->hidden, stamp, suffix) >= (int)cap)
            return err_set(err, ERR_INPUT, "%s: the folder name is too long for a run's file", dir);
        snprintf(best, sizeof best, "%.*s.best.safetensors", (int)(strlen(out) - strlen(".safetensors")), out);
        if (!guard_exists(out) && !guard_exists(best))
            return 0;
    }
    return err_set(err, ERR_RUNTIME, "%s: no free run file name for %s (10000 taken)", dir, stamp);
}
