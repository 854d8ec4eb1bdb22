/* app_inspector.c — the data behind the inspector screen (F2): the tensor
 * histogram requested from the runner, the findings app_findings.c lists,
 * :compare of saved runs' loss curves, and :gradcheck. The drawing itself is
 * the pure widget in inspector.c. Part of the app (app_internal.h).
 */
#include "app_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the inspector: histogram selection, findings, :compare, :gradcheck, exports ---- */

#define APP_HIST_BINS 40
#define APP_HIST_EVERY 10         /* steps between histogram refreshes while the inspector shows */
#define APP_MAX_CMP (INSPECTOR_MAX_RUNS - 1) /* one curve is this run's */
#define APP_GRADCHECK_PASS 1e-2   /* as `rnnscope gradcheck` */

/* The histogram the selection names ("head.weight", "grad:head.weight", "act:h.0") into buf. */
static void app_hist_what(App *a, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!a->have_pm || a->pm.n_tensors < 1)
        return;
    const Model *m = &a->pm;
    if (a->hist_kind < 2) {
        int i = (a->hist_item % m->n_tensors + m->n_tensors) % m->n_tensors;
        snprintf(buf, cap, "%s%s", a->hist_kind == 1 ? "grad:" : "", m->tensors[i].name);
        return;
    }
    /* activations of each layer: h, then c (lstm), then the gates (not rnn) */
    const char *kinds[3];
    int nk = 0;
    kinds[nk++] = "h";
    if (m->cfg.cell == CELL_LSTM)
        kinds[nk++] = "c";
    if (m->cfg.cell != CELL_RNN)
        kinds[nk++] = "gates";
    int n = nk * m->cfg.layers;
    int i = (a->hist_item % n + n) % n;
    snprintf(buf, cap, "act:%s.%d", kinds[i % nk], i / nk);
}

/* While the inspector shows: ask the trainer thread for the selected histogram
 * when the selection changes and every few steps, one request at a time. */
void app_inspector_tick(App *a)
{
    if (!a->inspector || !a->have_pm || a->script_running)
        return;
    char want[64];
    app_hist_what(a, want, sizeof want);
    runner_lock(&a->run);
    long done = a->run.histo_done, step = a->run.step;
    runner_unlock(&a->run);
    if (a->hist_asked > done)
        return;
    double now = app_now();
    int due = strcmp(want, a->hist_what) != 0 || step >= a->hist_asked_step + APP_HIST_EVERY ||
              (step != a->hist_asked_step && now - a->hist_asked_s >= 2.0);
    if (!due)
        return;
    snprintf(a->hist_what, sizeof a->hist_what, "%s", want);
    a->hist_asked++;
    a->hist_asked_step = step;
    a->hist_asked_s = now;
    runner_send(&a->run, RUN_CMD_HISTOGRAM, APP_HIST_BINS, 0, want);
}

void app_hist_cycle(App *a, int kind_delta, int item_delta)
{
    a->hist_kind = (a->hist_kind + kind_delta) % 3;
    a->hist_item += item_delta;
    char want[64];
    app_hist_what(a, want, sizeof want);
    app_msg(a, ROLE_DIM, "histogram: %s (%s)", want, a->hist_kind == 0 ? "weights" : a->hist_kind == 1 ? "gradients"
                                                                                                : "activations");
}

/* Snapshot for the inspector and the loss chart's extras (the findings come from app_findings_fill). */
void app_inspector_fill(App *a, PanelData *d)
{
    static InspectorData id;
    runner_lock(&a->run);
    Runner *r = &a->run;
    int have = r->have_last && a->have_pm;
    if (have)
        a->icur = r->last;
    int have_hist = r->histo_done > 0 && !r->histo_err[0];
    if (r->histo_done > 0) {
        a->ihist = r->histo;
        snprintf(a->ihist_what, sizeof a->ihist_what, "%s", r->histo_what);
        snprintf(a->ihist_note, sizeof a->ihist_note, "%s", r->histo_err);
        a->ihist_step = r->histo_step;
    }
    d->ngram_order = r->ngram_order;
    d->ngram_loss = r->ngram_loss;
    runner_unlock(&a->run);
    for (int i = 0; i < a->n_cmp; i++)
        a->cmp_view[i] = (InspectorRun){a->cmp[i].name, a->cmp_roles[i % 5], a->cmp[i].x, a->cmp[i].y, a->cmp[i].n};
    d->cmp = a->cmp_view;
    d->n_cmp = a->n_cmp;
    d->inspector_keys = a->inspector;
    if (!a->inspector)
        return;
    int nt = a->have_pm ? a->pm.n_tensors : 0;
    for (int i = 0; i < nt && i < STEP_MAX_TENSORS; i++)
        snprintf(a->inames[i], sizeof a->inames[i], "%s", a->pm.tensors[i].name);
    int nr = 0;
    if (a->n_cmp > 0) {
        a->iruns[nr++] = (InspectorRun){"this run", ROLE_SERIES2, d->loss_x, d->smooth_y, d->loss_n};
        for (int i = 0; i < a->n_cmp; i++)
            a->iruns[nr++] = a->cmp_view[i];
    }
    memset(&id, 0, sizeof id);
    id.cur = have ? &a->icur : NULL;
    id.cell = a->have_pm ? a->pm.cfg.cell : CELL_LSTM;
    id.n_tensors = nt;
    id.tensor_names = a->inames;
    id.findings = a->findings; /* app_findings_fill's, this frame */
    id.n_findings = a->n_findings;
    id.detail = a->find_sel_index + 1; /* -1 (none) is 0 */
    id.hist = have_hist ? &a->ihist : NULL;
    id.hist_what = a->ihist_what;
    id.hist_step = a->ihist_step;
    id.hist_note = a->ihist_note[0] ? a->ihist_note : "computing…";
    id.runs = a->iruns;
    id.n_runs = nr;
    id.ngram_loss = d->ngram_order > 0 ? d->ngram_loss : NAN;
    id.ngram_order = d->ngram_order;
    d->inspect = &id;
}

void app_compare_clear(App *a)
{
    for (int i = 0; i < a->n_cmp; i++) {
        free(a->cmp[i].x);
        free(a->cmp[i].y);
    }
    a->n_cmp = 0;
}

/* :compare RUN [RUN2 ...] adds saved runs' loss curves; :compare off removes them. */
void app_compare(App *a, const char *args)
{
    if (!strcmp(args, "off")) {
        app_compare_clear(a);
        app_msg(a, ROLE_TEXT, "run comparison off");
        return;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", args);
    char *save = NULL;
    for (char *p = strtok_r(buf, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (a->n_cmp >= APP_MAX_CMP) {
            app_msg(a, ROLE_WARN, "at most %d runs at once; :compare off clears them", APP_MAX_CMP);
            break;
        }
        LossHistory h;
        diag_history_init(&h, 4096, 1024);
        Err err;
        err_clear(&err);
        if (diag_history_read_file(&h, p, &err) != 0) {
            app_msg(a, ROLE_ERROR, "%s", err.msg);
            diag_history_free(&h);
            continue;
        }
        if (h.n == 0) {
            app_msg(a, ROLE_WARN, "%s: this run has no loss history yet (train it for a few steps)", p);
            diag_history_free(&h);
            continue;
        }
        AppCmpRun *c = &a->cmp[a->n_cmp++];
        const char *base = strrchr(p, '/');
        base = base ? base + 1 : p;
        size_t len = strcspn(base, ".");
        snprintf(c->name, sizeof c->name, "%.*s", (int)(len ? len : strlen(base)), base);
        c->n = h.n;
        c->x = xmalloc(sizeof(double) * (size_t)h.n);
        c->y = xmalloc(sizeof(double) * (size_t)h.n);
        for (int i = 0; i < h.n; i++) {
            c->x[i] = (double)diag_history_step(&h, i);
            c->y[i] = h.loss[i];
        }
        app_msg(a, ROLE_GOOD, "comparing with %s: %d points to step %ld, last loss %.4f", c->name, c->n,
                diag_history_step(&h, h.n - 1), c->y[c->n - 1]);
        diag_history_free(&h);
    }
}

/* :gradcheck [CELL]: the gradient check of gradcheck.h (a tiny model, ~50 ms) as a table in the messages. */
void app_gradcheck(App *a, const char *arg)
{
    runner_lock(&a->run);
    CellType cell = a->run.mcfg.cell;
    int layers = a->run.mcfg.layers;
    runner_unlock(&a->run);
    if (arg && *arg && cell_parse(arg, &cell) != 0) {
        app_msg(a, ROLE_ERROR, ":gradcheck %s: unknown cell; use lstm, gru or rnn", arg);
        return;
    }
    if (layers > 4)
        layers = 4; /* the check is about the maths, not the size */
    GradcheckRow rows[STEP_MAX_TENSORS];
    Err err;
    err_clear(&err);
    double t0 = app_now();
    int n = gradcheck_run(cell, layers, 1, rows, STEP_MAX_TENSORS, &err);
    if (n < 0) {
        app_msg(a, ROLE_ERROR, "%s", err.msg);
        return;
    }
    double ms = (app_now() - t0) * 1e3;
    app_msg(a, ROLE_TITLE, "gradcheck %s, %d layer%s (V=7 E=4 H=5 T=8 B=8): analytic vs central differences",
            cell_name(cell), layers, layers == 1 ? "" : "s");
    app_msg(a, ROLE_DIM, "%-20s %7s %10s %11s %11s", "tensor", "checked", "max|grad|", "max abs err", "max rel err");
    int failed = 0, worst = 0;
    for (int i = 0; i < n; i++) {
        int bad = rows[i].max_rel_err > APP_GRADCHECK_PASS;
        failed += bad;
        if (rows[i].max_rel_err > rows[worst].max_rel_err)
            worst = i;
        app_msg(a, bad ? ROLE_ERROR : ROLE_TEXT, "%-20s %7d %10.2e %11.2e %11.2e%s", rows[i].name, rows[i].n_checked,
                rows[i].max_abs_grad, rows[i].max_abs_err, rows[i].max_rel_err, bad ? "  FAIL" : "");
    }
    app_msg(a, failed ? ROLE_ERROR : ROLE_GOOD, "gradcheck %s: worst relative error %.1e (%s), %s %.0e; %.0f ms",
            failed ? "FAILED" : "ok", rows[worst].max_rel_err, rows[worst].name, failed ? "above" : "below",
            APP_GRADCHECK_PASS, ms);
}

