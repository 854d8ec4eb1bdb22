/* test_history.c — the dashboard's bounded metrics history (src/tui/history.c):
 * full-resolution recent ring, coarse all-history buckets that merge pairwise
 * (memory stays bounded for 1e6 steps), validation points, parameter groups and
 * the vanishing/exploding rules of issue 3. */
#include "check.h"
#include "history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A step with loss f(step), every tensor norm = norm. L = 2 layers. */
static StepInfo mk(long step, float loss, float norm)
{
    StepInfo s;
    memset(&s, 0, sizeof s);
    s.step = step;
    s.loss = loss;
    s.lr = 0.01f;
    s.grad_norm = norm;
    s.n_layers = 2;
    s.n_gates = 4;
    s.n_tensors = 3 + 4 * 2;
    for (int i = 0; i < s.n_tensors; i++)
        s.grad_norms[i] = norm;
    s.val_loss = NAN;
    return s;
}

int main(void)
{
    History h;
    history_init(&h);
    double *x = malloc(sizeof(double) * 20000), *y = malloc(sizeof(double) * 20000);

    for (long i = 1; i <= 100; i++) {
        StepInfo s = mk(i, (float)(1000 - i), 1.0f);
        s.clipped = i % 10 == 0;
        if (i % 25 == 0) {
            s.evaluated = 1;
            s.val_loss = (float)i;
        }
        history_push(&h, &s);
    }
    int n = history_series(&h, HIST_LOSS, 0, x, y, 20000);
    CHECK(n == 100 && x[0] == 1 && x[99] == 100 && y[0] == 999 && y[99] == 900,
          "all history at full resolution while it fits: n=%d x0=%g x99=%g y0=%g", n, x[0], x[n - 1], y[0]);
    n = history_series(&h, HIST_LOSS, 10, x, y, 20000);
    CHECK(n == 10 && x[0] == 91 && x[9] == 100, "last 10 steps: n=%d first x=%g", n, x[0]);
    n = history_series(&h, HIST_LOSS, 0, x, y, 7);
    CHECK(n == 7 && x[6] == 100 && x[0] == 94, "cap keeps the newest points: n=%d x0=%g", n, x[0]);
    CHECK(h.clip_count == 10, "clip count %ld == 10", h.clip_count);
    n = history_val(&h, 0, x, y, 100);
    CHECK(n == 4 && x[0] == 25 && y[3] == 100, "validation points: n=%d", n);
    n = history_val(&h, 30, x, y, 100);
    CHECK(n == 2 && x[0] == 75, "validation points in the last 30 steps: n=%d x0=%g", n, x[0]);
    const HistRecent *r0 = history_recent(&h, 0), *r99 = history_recent(&h, 99);
    CHECK(r0 && r0->step == 100 && r99 && r99->step == 1 && !history_recent(&h, 100),
          "recent(i) indexes back from the latest");

    /* a million steps: bounded coarse tier, means preserved */
    history_clear(&h);
    const long N = 1000000;
    double sum = 0;
    for (long i = 1; i <= N; i++) {
        StepInfo s = mk(i, (float)(i % 7), 1.0f);
        sum += i % 7;
        history_push(&h, &s);
    }
    CHECK(h.n_recent == HISTORY_RECENT && h.n_coarse <= HISTORY_COARSE && h.n_steps == N,
          "1e6 steps: recent %ld, coarse %d buckets (stride %ld)", h.n_recent, h.n_coarse, h.stride);
    n = history_series(&h, HIST_LOSS, 0, x, y, 20000);
    double wsum = 0;
    long covered = 0;
    for (int i = 0; i < h.n_coarse; i++) {
        wsum += h.coarse[i].loss * h.coarse[i].n;
        covered += h.coarse[i].n;
    }
    CHECK(n == h.n_coarse && x[n - 1] == N && covered == N && fabs(wsum - sum) < 1e-6 * sum,
          "all history from coarse buckets covers every step with the right mean (%g vs %g)", wsum, sum);
    n = history_series(&h, HIST_LOSS, 1000, x, y, 20000);
    CHECK(n == 1000 && x[0] == N - 999, "last 1000 at full resolution: n=%d x0=%g", n, x[0]);

    /* groups */
    char name[32];
    history_group_name(0, 2, name, sizeof name);
    CHECK(!strcmp(name, "embedding"), "group 0 is the embedding: %s", name);
    history_group_name(4, 2, name, sizeof name);
    CHECK(!strcmp(name, "l1 recur"), "group 4 is layer 1 recurrent: %s", name);
    history_group_name(5, 2, name, sizeof name);
    CHECK(!strcmp(name, "head") && history_n_groups(2) == 6, "group 5 is the head: %s", name);
    float tn[STEP_MAX_TENSORS] = {0};
    tn[TENSOR_W_HH(1)] = 3;
    tn[TENSOR_B_HH(1)] = 4;
    CHECK(fabs(history_group_norm(tn, 4, 2) - 5) < 1e-12, "group norm is sqrt of the sum of squares");

    /* flags */
    char why[64];
    history_clear(&h);
    StepInfo s = mk(1, 1, 1.0f);
    history_push(&h, &s);
    CHECK(history_grad_flag(&h, 2, 0, why, sizeof why) == GRAD_FLAG_OK, "uniform norms are healthy");
    s = mk(2, 1, 1.0f);
    s.grad_norms[TENSOR_W_IH(0)] = 1e-4f;
    s.grad_norms[TENSOR_B_IH(0)] = 0;
    history_push(&h, &s);
    CHECK(history_grad_flag(&h, 1, 0, why, sizeof why) == GRAD_FLAG_VANISHING,
          "a group 1e4 below the others is vanishing (%s)", why);
    CHECK(history_grad_flag(&h, 2, 0, why, sizeof why) == GRAD_FLAG_OK, "the others are not");
    CHECK(history_grad_flag(&h, 2, 0.5, why, sizeof why) == GRAD_FLAG_EXPLODING,
          "a group above the clip threshold is exploding (%s)", why);
    s = mk(3, 1, 1.0f);
    s.grad_norms[TENSOR_HEAD_W(2)] = 20;
    history_push(&h, &s);
    CHECK(history_grad_flag(&h, 5, 0, why, sizeof why) == GRAD_FLAG_EXPLODING,
          "a 10x jump in one step is exploding (%s)", why);
    history_clear(&h);
    for (long i = 1; i <= HISTORY_TREND_BLOCKS * HISTORY_TREND_LEN; i++) {
        StepInfo t = mk(i, 1, 1.0f);
        /* group 3 (l1 input) falls by 10x per block, smoothly */
        float v = powf(10.0f, -(float)(i - 1) / HISTORY_TREND_LEN * 0.6f);
        t.grad_norms[TENSOR_W_IH(1)] = v;
        t.grad_norms[TENSOR_B_IH(1)] = 0;
        history_push(&h, &t);
    }
    CHECK(history_grad_flag(&h, 3, 0, why, sizeof why) == GRAD_FLAG_VANISHING,
          "a steady fall over the last blocks is vanishing (%s)", why);
    CHECK(history_grad_flag(&h, 0, 0, why, sizeof why) == GRAD_FLAG_OK, "a flat group is not");

    n = history_group_norms(&h, 3, y, 5);
    CHECK(n == 5 && y[4] < y[0], "group norm history, oldest first");
    n = history_tensor_norms(&h, TENSOR_EMBEDDING, y, 1000);
    CHECK(n == HISTORY_TREND_BLOCKS * HISTORY_TREND_LEN && y[0] == 1.0, "tensor norm history n=%d", n);

    free(x);
    free(y);
    history_free(&h);
    return check_summary();
}
