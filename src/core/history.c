/* history.c — the run's bounded two-tier record of steps (see history.h);
 * saving and loading it is history_io.c. */
#include "history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void history_init(History *h)
{
    memset(h, 0, sizeof *h);
    h->recent = xcalloc(HISTORY_RECENT, sizeof *h->recent);
    h->coarse = xcalloc(HISTORY_COARSE, sizeof *h->coarse);
    h->val_step = xcalloc(HISTORY_VAL_MAX, sizeof *h->val_step);
    h->val_loss = xcalloc(HISTORY_VAL_MAX, sizeof *h->val_loss);
    h->stride = 1;
    h->val_stride = 1;
}

void history_free(History *h)
{
    free(h->recent);
    free(h->coarse);
    free(h->val_step);
    free(h->val_loss);
    memset(h, 0, sizeof *h);
}

void history_clear(History *h)
{
    HistRecent *r = h->recent;
    HistBucket *c = h->coarse;
    long *vs = h->val_step;
    double *vl = h->val_loss;
    memset(h, 0, sizeof *h);
    h->recent = r;
    h->coarse = c;
    h->val_step = vs;
    h->val_loss = vl;
    h->stride = 1;
    h->val_stride = 1;
}

/* Merge neighbouring buckets pairwise: the coarse tier halves, stride doubles. */
static void history_compact(History *h)
{
    int out = 0;
    for (int i = 0; i + 1 < h->n_coarse; i += 2) {
        const HistBucket *a = &h->coarse[i], *b = &h->coarse[i + 1];
        HistBucket m;
        m.n = a->n + b->n;
        m.step = b->step;
        m.loss = (a->loss * a->n + b->loss * b->n) / m.n;
        m.lr = (a->lr * a->n + b->lr * b->n) / m.n;
        m.grad_norm = a->grad_norm > b->grad_norm ? a->grad_norm : b->grad_norm;
        m.clipped = a->clipped + b->clipped;
        h->coarse[out++] = m;
    }
    if (h->n_coarse % 2)
        h->coarse[out++] = h->coarse[h->n_coarse - 1];
    h->n_coarse = out;
    h->stride *= 2;
}

/* keep: an explicit pass (history_push_val) is kept even where thinning
 * would skip it; only older points are thinned. */
static void history_add_val(History *h, long step, double loss, int keep)
{
    if (h->val_seen++ % h->val_stride != 0 && !keep)
        return;
    if (h->n_val == HISTORY_VAL_MAX) {
        /* why: keep every other point so the whole run stays visible */
        int out = 0;
        for (int i = 0; i < h->n_val; i += 2) {
            h->val_step[out] = h->val_step[i];
            h->val_loss[out++] = h->val_loss[i];
        }
        h->n_val = out;
        h->val_stride *= 2;
    }
    h->val_step[h->n_val] = step;
    h->val_loss[h->n_val++] = loss;
}

void history_push_val(History *h, long step, double val_loss)
{
    history_add_val(h, step, val_loss, 1);
}

void history_push(History *h, const StepInfo *s)
{
    HistRecent *r = &h->recent[h->recent_head];
    r->step = s->step;
    r->loss = s->loss;
    r->lr = s->lr;
    r->grad_norm = s->grad_norm;
    r->clipped = s->clipped;
    r->ms = (float)s->ms;
    r->tokens_per_s = (float)s->tokens_per_s;
    r->epoch = s->epoch;
    memcpy(r->grad_norms, s->grad_norms, sizeof r->grad_norms);
    memcpy(r->gate_grad_norms, s->gate_grad_norms, sizeof r->gate_grad_norms);
    h->recent_head = (h->recent_head + 1) % HISTORY_RECENT;
    if (h->n_recent < HISTORY_RECENT)
        h->n_recent++;
    h->n_tensors = s->n_tensors;
    h->n_layers = s->n_layers;
    h->n_gates = s->n_gates;

    HistBucket *last = h->n_coarse ? &h->coarse[h->n_coarse - 1] : NULL;
    if (!last || last->n >= h->stride) {
        if (h->n_coarse == HISTORY_COARSE)
            history_compact(h);
        last = &h->coarse[h->n_coarse++];
        memset(last, 0, sizeof *last);
    }
    last->loss = (last->loss * last->n + s->loss) / (last->n + 1);
    last->lr = (last->lr * last->n + s->lr) / (last->n + 1);
    if (s->grad_norm > last->grad_norm)
        last->grad_norm = s->grad_norm;
    last->clipped += s->clipped != 0;
    last->n++;
    last->step = s->step;

    h->n_steps++;
    h->clip_count += s->clipped != 0;
    if (s->evaluated && !isnan(s->val_loss))
        history_add_val(h, s->step, s->val_loss, 0);
}

const HistRecent *history_recent(const History *h, long i)
{
    if (i < 0 || i >= h->n_recent)
        return NULL;
    long idx = (h->recent_head - 1 - i + 2 * HISTORY_RECENT) % HISTORY_RECENT;
    return &h->recent[idx];
}

long history_latest_step(const History *h)
{
    const HistRecent *r = history_recent(h, 0);
    if (r)
        return r->step;
    return h->n_coarse ? h->coarse[h->n_coarse - 1].step : 0;
}

int history_series(const History *h, HistSeries which, long last_n, double *x, double *y, int cap)
{
    if (cap <= 0 || (h->n_recent == 0 && h->n_coarse == 0))
        return 0;
    long latest = history_latest_step(h);
    long lo = last_n > 0 ? latest - last_n : -1; /* keep steps > lo */
    int n = 0;
    if (h->n_recent > 0 && (h->n_recent == h->n_steps || lo >= history_recent(h, h->n_recent - 1)->step - 1)) {
        long k = h->n_recent;
        while (k > 0 && history_recent(h, k - 1)->step <= lo)
            k--;
        if (k > cap)
            k = cap;
        for (long i = k - 1; i >= 0; i--) {
            const HistRecent *r = history_recent(h, i);
            x[n] = (double)r->step;
            y[n] = which == HIST_LOSS ? r->loss : which == HIST_LR ? r->lr : r->grad_norm;
            n++;
        }
        return n;
    }
    int first = 0;
    while (first < h->n_coarse && h->coarse[first].step <= lo)
        first++;
    if (h->n_coarse - first > cap)
        first = h->n_coarse - cap;
    for (int i = first; i < h->n_coarse; i++) {
        const HistBucket *b = &h->coarse[i];
        x[n] = (double)b->step;
        y[n] = which == HIST_LOSS ? b->loss : which == HIST_LR ? b->lr : b->grad_norm;
        n++;
    }
    return n;
}

int history_val(const History *h, long last_n, double *x, double *y, int cap)
{
    long lo = last_n > 0 ? history_latest_step(h) - last_n : -1;
    int first = 0;
    while (first < h->n_val && h->val_step[first] <= lo)
        first++;
    if (h->n_val - first > cap)
        first = h->n_val - cap;
    int n = 0;
    for (int i = first; i < h->n_val; i++) {
        x[n] = (double)h->val_step[i];
        y[n++] = h->val_loss[i];
    }
    return n;
}

int history_tensor_norms(const History *h, int tensor, double *y, int cap)
{
    if (tensor < 0 || tensor >= STEP_MAX_TENSORS)
        return 0;
    long k = h->n_recent < cap ? h->n_recent : cap;
    int n = 0;
    for (long i = k - 1; i >= 0; i--)
        y[n++] = history_recent(h, i)->grad_norms[tensor];
    return n;
}

int history_n_groups(int n_layers)
{
    return 2 + 2 * n_layers;
}

void history_group_name(int group, int n_layers, char *buf, size_t cap)
{
    if (group == 0)
        snprintf(buf, cap, "embedding");
    else if (group == 1 + 2 * n_layers)
        snprintf(buf, cap, "head");
    else
        snprintf(buf, cap, "l%d %s", (group - 1) / 2, (group - 1) % 2 == 0 ? "input" : "recur");
}

double history_group_norm(const float *tn, int group, int n_layers)
{
    int a, b;
    if (group == 0) {
        a = TENSOR_EMBEDDING;
        b = -1;
    } else if (group == 1 + 2 * n_layers) {
        a = TENSOR_HEAD_W(n_layers);
        b = TENSOR_HEAD_B(n_layers);
    } else {
        int k = (group - 1) / 2;
        if ((group - 1) % 2 == 0) {
            a = TENSOR_W_IH(k);
            b = TENSOR_B_IH(k);
        } else {
            a = TENSOR_W_HH(k);
            b = TENSOR_B_HH(k);
        }
    }
    double s = (double)tn[a] * tn[a];
    if (b >= 0)
        s += (double)tn[b] * tn[b];
    return sqrt(s);
}

int history_group_norms(const History *h, int group, double *y, int cap)
{
    long k = h->n_recent < cap ? h->n_recent : cap;
    int n = 0;
    for (long i = k - 1; i >= 0; i--)
        y[n++] = history_group_norm(history_recent(h, i)->grad_norms, group, h->n_layers);
    return n;
}

static int history_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int history_grad_flag(const History *h, int group, double clip, char *why, size_t cap)
{
    if (why && cap)
        why[0] = '\0';
    const HistRecent *cur = history_recent(h, 0);
    int G = history_n_groups(h->n_layers);
    if (!cur || group < 0 || group >= G)
        return GRAD_FLAG_OK;
    double v = history_group_norm(cur->grad_norms, group, h->n_layers);
    if (clip > 0 && v > clip) {
        if (why)
            snprintf(why, cap, "above clip %.3g", clip);
        return GRAD_FLAG_EXPLODING;
    }
    const HistRecent *prev = history_recent(h, 1);
    if (prev) {
        double p = history_group_norm(prev->grad_norms, group, h->n_layers);
        if (p > 0 && v >= 10 * p) {
            if (why)
                snprintf(why, cap, "jumped %.0fx", v / p);
            return GRAD_FLAG_EXPLODING;
        }
    }
    double others[2 + 2 * TRAIN_MAX_LAYERS];
    int n = 0;
    for (int g = 0; g < G; g++)
        if (g != group)
            others[n++] = history_group_norm(cur->grad_norms, g, h->n_layers);
    if (n > 0) {
        qsort(others, (size_t)n, sizeof others[0], history_cmp_double);
        double med = n % 2 ? others[n / 2] : 0.5 * (others[n / 2 - 1] + others[n / 2]);
        if (med > 0 && v < med / 100) {
            if (why)
                snprintf(why, cap, "%.0fx below the others", v > 0 ? med / v : INFINITY);
            return GRAD_FLAG_VANISHING;
        }
    }
    const int need = HISTORY_TREND_BLOCKS * HISTORY_TREND_LEN;
    if (h->n_recent >= need) {
        double means[HISTORY_TREND_BLOCKS];
        for (int b = 0; b < HISTORY_TREND_BLOCKS; b++) {
            double s = 0;
            for (int i = 0; i < HISTORY_TREND_LEN; i++) {
                /* block 0 is the oldest */
                long age = (long)(HISTORY_TREND_BLOCKS - 1 - b) * HISTORY_TREND_LEN + i;
                s += history_group_norm(history_recent(h, age)->grad_norms, group, h->n_layers);
            }
            means[b] = s / HISTORY_TREND_LEN;
        }
        int falling = 1;
        for (int b = 1; b < HISTORY_TREND_BLOCKS; b++)
            if (!(means[b] < means[b - 1]))
                falling = 0;
        if (falling && means[HISTORY_TREND_BLOCKS - 1] < means[0] / 10) {
            if (why)
                snprintf(why, cap, "falling %.0fx", means[0] / means[HISTORY_TREND_BLOCKS - 1]);
            return GRAD_FLAG_VANISHING;
        }
    }
    return GRAD_FLAG_OK;
}
