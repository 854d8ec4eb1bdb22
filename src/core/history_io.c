/* history_io.c — a run's History in its checkpoint: saving, loading with every
 * number checked, and reading the loss history older versions saved.
 *
 * Layout (see history.h): F64 tensors, oldest first,
 *   record.coarse (n_coarse, 6)  step, mean loss, mean lr, max grad norm, clips, steps
 *   record.recent (n_recent, 8)  step, loss, lr, grad norm, clipped, ms, tokens/s, epoch
 *   record.val    (n_val, 2)     step, validation loss
 * F32 tensors for the newest k <= HISTORY_SAVED_NORMS recent steps,
 *   record.norms  (k, n_tensors) and record.gates (k, n_layers * 4),
 * and the counters as metadata record.*.
 */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_FORMAT "1"
#define COARSE_COLS 6
#define RECENT_COLS 8

static void put_long(StWriter *w, const char *key, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    st_add_meta(w, key, buf);
}

void history_save(const History *h, StWriter *w)
{
    st_add_meta(w, "record.format", HISTORY_FORMAT);
    put_long(w, "record.n_steps", h->n_steps);
    put_long(w, "record.clip_count", h->clip_count);
    put_long(w, "record.stride", h->stride);
    put_long(w, "record.val_stride", h->val_stride);
    put_long(w, "record.val_seen", h->val_seen);
    put_long(w, "record.n_tensors", h->n_tensors);
    put_long(w, "record.n_layers", h->n_layers);
    put_long(w, "record.n_gates", h->n_gates);
    size_t nc = (size_t)h->n_coarse, nr = (size_t)h->n_recent, nv = (size_t)h->n_val;
    double *buf = xmalloc(sizeof(double) * (nc * COARSE_COLS + nr * RECENT_COLS + nv * 2 + 1));
    double *p = buf;
    for (size_t i = 0; i < nc; i++, p += COARSE_COLS) {
        const HistBucket *b = &h->coarse[i];
        double row[COARSE_COLS] = {(double)b->step, b->loss, b->lr, b->grad_norm, (double)b->clipped, (double)b->n};
        memcpy(p, row, sizeof row);
    }
    int64_t shape[2] = {(int64_t)nc, COARSE_COLS};
    st_add_raw(w, "record.coarse", ST_F64, buf, 2, shape);
    p = buf;
    for (size_t i = 0; i < nr; i++, p += RECENT_COLS) {
        const HistRecent *r = history_recent(h, (long)(nr - 1 - i));
        double row[RECENT_COLS] = {(double)r->step, r->loss, r->lr, r->grad_norm, (double)r->clipped,
                                   r->ms, r->tokens_per_s, r->epoch};
        memcpy(p, row, sizeof row);
    }
    shape[0] = (int64_t)nr;
    shape[1] = RECENT_COLS;
    st_add_raw(w, "record.recent", ST_F64, buf, 2, shape);
    for (size_t i = 0; i < nv; i++) {
        buf[2 * i] = (double)h->val_step[i];
        buf[2 * i + 1] = h->val_loss[i];
    }
    shape[0] = (int64_t)nv;
    shape[1] = 2;
    st_add_raw(w, "record.val", ST_F64, buf, 2, shape);
    free(buf);

    size_t k = nr < HISTORY_SAVED_NORMS ? nr : HISTORY_SAVED_NORMS;
    size_t nt = (size_t)h->n_tensors, ng = (size_t)h->n_layers * 4;
    float *f = xmalloc(sizeof(float) * (k * (nt + ng) + 1));
    for (size_t i = 0; i < k; i++) {
        const HistRecent *r = history_recent(h, (long)(k - 1 - i));
        memcpy(f + i * nt, r->grad_norms, sizeof(float) * nt);
    }
    shape[0] = (int64_t)k;
    shape[1] = (int64_t)nt;
    st_add_f32(w, "record.norms", f, 2, shape);
    for (size_t i = 0; i < k; i++) {
        const HistRecent *r = history_recent(h, (long)(k - 1 - i));
        memcpy(f + i * ng, r->gate_grad_norms, sizeof(float) * ng);
    }
    shape[1] = (int64_t)ng;
    st_add_f32(w, "record.gates", f, 2, shape);
    free(f);
}

/* ---- loading ---------------------------------------------------------------- */

static int get_long(const StFile *f, const char *key, long lo, long hi, long *out, Err *err)
{
    const char *s = st_meta(f, key);
    if (!s)
        return err_set(err, ERR_INPUT, "%s: the run's record has no %s; the run state is damaged", f->path, key);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return err_set(err, ERR_INPUT, "%s: %s is '%.40s', expected a whole number from %ld to %ld; the run state "
                       "is damaged", f->path, key, s, lo, hi);
    *out = v;
    return 0;
}

/* A (rows, cols) tensor of the given dtype with at most max_rows rows; *rows
 * is 0 if absent and optional. */
static int get_shape(const StFile *f, const char *name, StDtype dtype, long cols, long max_rows, long *rows,
                     Err *err)
{
    const StTensor *t = st_find(f, name);
    *rows = 0;
    if (!t)
        return err_set(err, ERR_INPUT, "%s: the run's record has no tensor %s; the run state is damaged", f->path,
                       name);
    if (t->dtype != dtype || t->ndim != 2 || t->shape[1] != cols || t->shape[0] < 0 || t->shape[0] > max_rows)
        return err_set(err, ERR_INPUT, "%s: tensor %s should be %s with shape (n <= %ld, %ld); the run state is "
                       "damaged", f->path, name, st_dtype_name(dtype), max_rows, cols);
    *rows = (long)t->shape[0];
    return 0;
}

static int bad_row(const StFile *f, const char *name, long row, const char *why, Err *err)
{
    return err_set(err, ERR_INPUT, "%s: tensor %s row %ld: %s; the run state is damaged", f->path, name, row, why);
}

#define STEP_LIMIT (1L << 50) /* beyond any run */

/* A step number: whole, after prev, below STEP_LIMIT. (Step numbers may run
 * ahead of the records held: a run resumed from a file without a record.) */
static int check_step(double v, long prev)
{
    return isfinite(v) && v == floor(v) && v > (double)prev && v < (double)STEP_LIMIT;
}

static int load_coarse(History *h, const StFile *f, long n_steps, Err *err)
{
    long rows;
    int rc = get_shape(f, "record.coarse", ST_F64, COARSE_COLS, HISTORY_COARSE, &rows, err);
    if (rc)
        return rc;
    double *d = xmalloc(sizeof(double) * (size_t)(rows * COARSE_COLS + 1));
    if ((rc = st_get_f64(f, "record.coarse", d, (size_t)(rows * COARSE_COLS), err)) != 0) {
        free(d);
        return rc;
    }
    long prev = 0, total = 0;
    for (long i = 0; i < rows && !rc; i++) {
        const double *row = d + i * COARSE_COLS;
        double n = row[5], clipped = row[4];
        if (!check_step(row[0], prev))
            rc = bad_row(f, "record.coarse", i, "its step is not after the previous one", err);
        else if (!(n >= 1 && n == floor(n) && n <= row[0] - (double)prev) || !(clipped >= 0 && clipped <= n) ||
                 clipped != floor(clipped))
            rc = bad_row(f, "record.coarse", i, "its step or clip count does not fit the steps it covers", err);
        else if (!isfinite(row[1]) || isinf(row[2]) || isinf(row[3]))
            /* lr and gradient norm may be NaN: unknown in a record read from an older version */
            rc = bad_row(f, "record.coarse", i, "a value is not finite", err);
        if (rc)
            break;
        HistBucket *b = &h->coarse[h->n_coarse++];
        b->step = (long)row[0];
        b->loss = row[1];
        b->lr = row[2];
        b->grad_norm = row[3];
        b->clipped = (long)clipped;
        b->n = (long)n;
        prev = b->step;
        total += b->n;
    }
    free(d);
    if (!rc && total != n_steps)
        rc = err_set(err, ERR_INPUT, "%s: tensor record.coarse covers %ld steps, the record says %ld; the run state "
                     "is damaged", f->path, total, n_steps);
    long clips = 0;
    for (int i = 0; i < h->n_coarse; i++)
        clips += h->coarse[i].clipped;
    if (!rc && clips != h->clip_count)
        rc = err_set(err, ERR_INPUT, "%s: tensor record.coarse counts %ld clipped steps, the record says %ld; the run "
                     "state is damaged", f->path, clips, h->clip_count);
    return rc;
}

static int load_recent(History *h, const StFile *f, long n_steps, Err *err)
{
    long rows, k, k2;
    int rc = get_shape(f, "record.recent", ST_F64, RECENT_COLS, HISTORY_RECENT, &rows, err);
    if (!rc)
        rc = get_shape(f, "record.norms", ST_F32, h->n_tensors, HISTORY_SAVED_NORMS, &k, err);
    if (!rc)
        rc = get_shape(f, "record.gates", ST_F32, (long)h->n_layers * 4, HISTORY_SAVED_NORMS, &k2, err);
    if (rc)
        return rc;
    if (k != k2 || k > rows || rows > n_steps)
        return err_set(err, ERR_INPUT, "%s: tensors record.recent, record.norms and record.gates disagree on how "
                       "many steps they hold; the run state is damaged", f->path);
    size_t nt = (size_t)h->n_tensors, ng = (size_t)h->n_layers * 4;
    double *d = xmalloc(sizeof(double) * (size_t)(rows * RECENT_COLS + 1));
    float *norms = xmalloc(sizeof(float) * ((size_t)k * (nt + ng) + 1));
    rc = st_get_f64(f, "record.recent", d, (size_t)(rows * RECENT_COLS), err);
    if (!rc)
        rc = st_get_f32(f, "record.norms", norms, (size_t)k * nt, err);
    if (!rc)
        rc = st_get_f32(f, "record.gates", norms + (size_t)k * nt, (size_t)k * ng, err);
    long prev = 0;
    for (long i = 0; i < rows && !rc; i++) {
        const double *row = d + i * RECENT_COLS;
        if (!check_step(row[0], prev))
            rc = bad_row(f, "record.recent", i, "its step is not after the previous one", err);
        else if (row[4] != 0 && row[4] != 1)
            rc = bad_row(f, "record.recent", i, "clipped is neither 0 nor 1", err);
        else
            for (int c = 1; c < RECENT_COLS && !rc; c++)
                if (!isfinite(row[c]))
                    rc = bad_row(f, "record.recent", i, "a value is not finite", err);
        if (rc)
            break;
        HistRecent *r = &h->recent[h->recent_head];
        memset(r, 0, sizeof *r);
        r->step = (long)row[0];
        r->loss = (float)row[1];
        r->lr = (float)row[2];
        r->grad_norm = (float)row[3];
        r->clipped = (int)row[4];
        r->ms = (float)row[5];
        r->tokens_per_s = (float)row[6];
        r->epoch = row[7];
        long from_end = rows - 1 - i; /* the newest k rows carry norms */
        if (from_end < k) {
            long j = k - 1 - from_end;
            memcpy(r->grad_norms, norms + (size_t)j * nt, sizeof(float) * nt);
            memcpy(r->gate_grad_norms, norms + (size_t)k * nt + (size_t)j * ng, sizeof(float) * ng);
        }
        h->recent_head = (h->recent_head + 1) % HISTORY_RECENT;
        h->n_recent++;
        prev = r->step;
    }
    free(d);
    free(norms);
    return rc;
}

static int load_val(History *h, const StFile *f, Err *err)
{
    long rows;
    int rc = get_shape(f, "record.val", ST_F64, 2, HISTORY_VAL_MAX, &rows, err);
    if (rc)
        return rc;
    double *d = xmalloc(sizeof(double) * (size_t)(rows * 2 + 1));
    rc = st_get_f64(f, "record.val", d, (size_t)(rows * 2), err);
    long prev = 0;
    for (long i = 0; i < rows && !rc; i++) {
        /* a validation pass may run at step 0 (a loaded model) or twice at one step */
        if (!check_step(d[2 * i] + 1, prev) || !isfinite(d[2 * i + 1]))
            rc = bad_row(f, "record.val", i, "its step is out of order or its loss is not finite", err);
        else {
            h->val_step[h->n_val] = (long)d[2 * i];
            h->val_loss[h->n_val++] = d[2 * i + 1];
            prev = (long)d[2 * i];
        }
    }
    free(d);
    return rc;
}

static int load_record(History *h, const StFile *f, Err *err)
{
    long n_steps, clips, stride, val_stride, val_seen, nt, nl, ng;
    int rc;
    if ((rc = get_long(f, "record.n_steps", 0, 1L << 50, &n_steps, err)) ||
        (rc = get_long(f, "record.clip_count", 0, n_steps, &clips, err)) ||
        (rc = get_long(f, "record.stride", 1, 1L << 50, &stride, err)) ||
        (rc = get_long(f, "record.val_stride", 1, 1L << 50, &val_stride, err)) ||
        (rc = get_long(f, "record.val_seen", 0, 1L << 50, &val_seen, err)) ||
        (rc = get_long(f, "record.n_tensors", 0, STEP_MAX_TENSORS, &nt, err)) ||
        (rc = get_long(f, "record.n_layers", 0, TRAIN_MAX_LAYERS, &nl, err)) ||
        (rc = get_long(f, "record.n_gates", 0, 4, &ng, err)))
        return rc;
    h->n_steps = n_steps;
    h->clip_count = clips;
    h->stride = stride;
    h->val_stride = val_stride;
    h->val_seen = val_seen;
    h->n_tensors = (int)nt;
    h->n_layers = (int)nl;
    h->n_gates = (int)ng;
    if ((rc = load_coarse(h, f, n_steps, err)) || (rc = load_recent(h, f, n_steps, err)) ||
        (rc = load_val(h, f, err)))
        return rc;
    /* the tiers describe one run: the newest full-resolution step is the last
     * bucket's, and the oldest lies within the buckets; no validation is later */
    long last = h->n_coarse ? h->coarse[h->n_coarse - 1].step : 0;
    const HistRecent *newest = history_recent(h, 0), *oldest = history_recent(h, h->n_recent - 1);
    long first_covered = h->n_coarse ? h->coarse[0].step - h->coarse[0].n + 1 : 1;
    if ((newest && newest->step != last) || (oldest && oldest->step < first_covered) ||
        (h->n_val && h->val_step[h->n_val - 1] > last))
        return err_set(err, ERR_INPUT, "%s: tensors record.recent, record.coarse and record.val disagree on the steps "
                       "of the run; the run state is damaged", f->path);
    return 0;
}

/* The loss history of older versions: means of `stride` steps, F32
 * validation points. It becomes coarse buckets (no lr or gradient norm). */
static int load_legacy(History *h, const StFile *f, Err *err)
{
    const char *s_stride = st_meta(f, "hist.stride"), *s_acc = st_meta(f, "hist.acc");
    const char *s_acc_n = st_meta(f, "hist.acc_n");
    char *e1 = NULL, *e2 = NULL;
    long stride = strtol(s_stride, &e1, 10);
    long acc_n = s_acc_n ? strtol(s_acc_n, &e2, 10) : -1;
    double acc = s_acc ? strtod(s_acc, NULL) : NAN;
    if (*e1 || stride < 1 || stride > (1L << 40) || !s_acc_n || *e2 || acc_n < 0 || acc_n > stride ||
        !isfinite(acc))
        return err_set(err, ERR_INPUT, "%s: malformed loss history (hist.stride '%.40s'); the run state is damaged",
                       f->path, s_stride);
    const StTensor *tl = st_find(f, "hist.loss");
    size_t n = tl ? tl->nelem : 0;
    if (n + 1 > HISTORY_COARSE)
        return err_set(err, ERR_INPUT, "%s: tensor hist.loss has %zu points, more than a record keeps (%d); the run "
                       "state is damaged", f->path, n, HISTORY_COARSE - 1);
    float *tmp = xmalloc(sizeof(float) * (n + 1));
    int rc = tl ? st_get_f32(f, "hist.loss", tmp, n, err) : 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!isfinite(tmp[i])) {
            rc = bad_row(f, "hist.loss", (long)i, "the loss is not finite", err);
            break;
        }
        HistBucket *b = &h->coarse[h->n_coarse++];
        b->n = stride;
        b->step = (long)(i + 1) * stride;
        b->loss = tmp[i];
        b->clipped = 0;
        b->lr = b->grad_norm = NAN;
    }
    free(tmp);
    if (rc)
        return rc;
    h->n_steps = (long)n * stride + acc_n;
    if (acc_n > 0) {
        HistBucket *b = &h->coarse[h->n_coarse++];
        b->n = acc_n;
        b->step = h->n_steps;
        b->loss = acc / (double)acc_n;
        b->clipped = 0;
        b->lr = b->grad_norm = NAN;
    }
    h->stride = stride;
    const StTensor *tv = st_find(f, "hist.val");
    if (!tv)
        return 0;
    if (tv->dtype != ST_F32 || tv->ndim != 2 || tv->shape[1] != 2 || tv->shape[0] > HISTORY_VAL_MAX)
        return err_set(err, ERR_INPUT, "%s: tensor hist.val should be F32 with shape (n <= %d, 2)", f->path,
                       HISTORY_VAL_MAX);
    tmp = xmalloc(sizeof(float) * (tv->nelem + 1));
    rc = st_get_f32(f, "hist.val", tmp, tv->nelem, err);
    for (size_t i = 0; i < tv->nelem / 2 && !rc; i++) {
        float step = tmp[2 * i];
        if (!(step >= 0 && step < (float)STEP_LIMIT) || !isfinite(tmp[2 * i + 1]))
            rc = bad_row(f, "hist.val", (long)i, "its step is outside the run or its loss is not finite", err);
        else {
            h->val_step[h->n_val] = (long)step;
            h->val_loss[h->n_val++] = tmp[2 * i + 1];
        }
    }
    free(tmp);
    return rc;
}

int history_load(History *h, const StFile *f, Err *err)
{
    history_clear(h);
    int rc = 0;
    const char *format = st_meta(f, "record.format");
    if (format) {
        if (strcmp(format, HISTORY_FORMAT) != 0)
            return err_set(err, ERR_INPUT, "%s: record.format '%.20s' is not one this version reads (%s); use a "
                           "newer rnnscope", f->path, format, HISTORY_FORMAT);
        rc = load_record(h, f, err);
    } else if (st_meta(f, "hist.stride")) {
        rc = load_legacy(h, f, err);
    }
    if (rc)
        history_clear(h);
    return rc;
}

int history_read_file(History *h, const char *path, Err *err)
{
    StFile f;
    int rc = st_read(&f, path, err);
    if (rc)
        return rc;
    if (!st_meta(&f, "record.format") && !st_meta(&f, "hist.stride")) {
        st_free(&f);
        return err_set(err, ERR_INPUT, "%s: no record of a run in this file; only runs saved by rnnscope (train, "
                       "the dashboard, rnn.save) have one", path);
    }
    rc = history_load(h, &f, err);
    st_free(&f);
    return rc;
}
