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

#include "paths.h"

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
    if (a->insp.hist_kind < 2) {
        int i = (a->insp.hist_item % m->n_tensors + m->n_tensors) % m->n_tensors;
        snprintf(buf, cap, "%s%s", a->insp.hist_kind == 1 ? "grad:" : "", m->tensors[i].name);
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
    int i = (a->insp.hist_item % n + n) % n;
    snprintf(buf, cap, "act:%s.%d", kinds[i % nk], i / nk);
}

/* While the inspector shows: ask the trainer thread for the selected histogram
 * when the selection changes and every few steps, one request at a time. */
void app_inspector_tick(App *a)
{
    if (!a->inspector || !a->have_pm || a->lua.running)
        return;
    char want[64];
    app_hist_what(a, want, sizeof want);
    long done = a->view.histo_done, step = a->view.step;
    if (a->insp.hist_asked > done)
        return;
    double now = app_now();
    int due = strcmp(want, a->insp.hist_what) != 0 || step >= a->insp.hist_asked_step + APP_HIST_EVERY ||
              (step != a->insp.hist_asked_step && now - a->insp.hist_asked_s >= 2.0);
    if (!due)
        return;
    snprintf(a->insp.hist_what, sizeof a->insp.hist_what, "%s", want);
    a->insp.hist_asked++;
    a->insp.hist_asked_step = step;
    a->insp.hist_asked_s = now;
    runner_send(a->run, RUN_CMD_HISTOGRAM, APP_HIST_BINS, 0, want);
}

void app_hist_cycle(App *a, int kind_delta, int item_delta)
{
    a->insp.hist_kind = (a->insp.hist_kind + kind_delta) % 3;
    a->insp.hist_item += item_delta;
    char want[64];
    app_hist_what(a, want, sizeof want);
    app_msg(a, ROLE_DIM, "histogram: %s (%s)", want, a->insp.hist_kind == 0 ? "weights" : a->insp.hist_kind == 1 ? "gradients"
                                                                                                : "activations");
}

/* Snapshot for the inspector and the loss chart's extras (the findings come from app_findings_fill). */
void app_inspector_fill(App *a, PanelData *d)
{
    static InspectorData id;
    const RunView *r = &a->view;
    int have = r->have_last && (a->have_pm || r->watching); /* a watch has its log's steps before any weights */
    if (have)
        a->insp.cur = r->last;
    int have_hist = 0;
    if (r->histo_done > 0 && runner_histogram(a->run, &a->insp.hist, a->insp.hist_shown, sizeof a->insp.hist_shown, a->insp.hist_note,
                                              sizeof a->insp.hist_note, &a->insp.hist_step))
        have_hist = !a->insp.hist_note[0];
    d->ngram_order = r->ngram_order;
    d->ngram_loss = r->ngram_loss;
    for (int i = 0; i < a->insp.n_cmp; i++)
        a->insp.cmp_view[i] = (InspectorRun){a->insp.cmp[i].name, a->insp.cmp_roles[i % 5], a->insp.cmp[i].x, a->insp.cmp[i].y, a->insp.cmp[i].n};
    d->cmp = a->insp.cmp_view;
    d->n_cmp = a->insp.n_cmp;
    d->inspector_keys = a->inspector;
    if (!a->inspector)
        return;
    int nt = a->have_pm ? a->pm.n_tensors : r->watching ? r->n_tensors : 0;
    for (int i = 0; i < nt && i < STEP_MAX_TENSORS; i++)
        snprintf(a->insp.names[i], sizeof a->insp.names[i], "%s", a->have_pm ? a->pm.tensors[i].name : r->tensor_names[i]);
    int nr = 0;
    if (a->insp.n_cmp > 0) {
        a->insp.runs[nr++] = (InspectorRun){"this run", ROLE_SERIES2, d->loss_x, d->smooth_y, d->loss_n};
        for (int i = 0; i < a->insp.n_cmp; i++)
            a->insp.runs[nr++] = a->insp.cmp_view[i];
    }
    memset(&id, 0, sizeof id);
    id.cur = have ? &a->insp.cur : NULL;
    id.cell = a->have_pm ? a->pm.cfg.cell : r->watching ? r->mcfg.cell : CELL_LSTM;
    id.n_tensors = nt;
    id.tensor_names = a->insp.names;
    id.findings = a->findings; /* app_findings_fill's, this frame */
    id.n_findings = a->n_findings;
    id.detail = a->find_sel_index + 1; /* -1 (none) is 0 */
    id.hist = have_hist ? &a->insp.hist : NULL;
    id.hist_what = a->insp.hist_shown;
    id.hist_step = a->insp.hist_step;
    id.hist_note = a->insp.hist_note[0] ? a->insp.hist_note
                   : r->no_weights ? "no weights yet: the run has not saved"
                                   : "computing…";
    id.runs = a->insp.runs;
    id.n_runs = nr;
    id.ngram_loss = d->ngram_order > 0 ? d->ngram_loss : NAN;
    id.ngram_order = d->ngram_order;
    d->inspect = &id;
}

void app_inspector_init(App *a)
{
    AppInspector *in = &a->insp;
    memset(in, 0, sizeof *in);
    in->hist_kind = 1; /* start on the gradient of layer 0's recurrent weights: where trouble shows */
    in->hist_item = 2;
    static const Role roles[5] = {ROLE_SERIES5, ROLE_SERIES6, ROLE_SERIES3, ROLE_SERIES1, ROLE_SERIES4};
    memcpy(in->cmp_roles, roles, sizeof roles);
}

static void app_compare_clear(App *a)
{
    for (int i = 0; i < a->insp.n_cmp; i++) {
        free(a->insp.cmp[i].x);
        free(a->insp.cmp[i].y);
    }
    a->insp.n_cmp = 0;
}

void app_inspector_free(App *a)
{
    app_compare_clear(a);
}

/* :compare RUN [RUN2 ...] adds saved runs' loss curves; :compare off removes them. */
void app_compare(App *a, const char *args)
{
    if (!strcmp(args, "off")) {
        app_compare_clear(a);
        app_msg(a, ROLE_TEXT, "run comparison off");
        return;
    }
    /* paths as a shell reads them: "my runs/a.safetensors", my\ runs/a.safetensors, ~/runs/b.safetensors */
    char word[1024], p[1024];
    int got;
    for (const char *rest = args; (got = paths_next_word(&rest, word, sizeof word)) != 0;) {
        if (got < 0) {
            app_msg(a, ROLE_ERROR, ":compare %s: a quote is not closed", args);
            break;
        }
        paths_expand_home(word, p, sizeof p);
        if (a->insp.n_cmp >= APP_MAX_CMP) {
            app_msg(a, ROLE_WARN, "at most %d runs at once; :compare off clears them", APP_MAX_CMP);
            break;
        }
        History h;
        history_init(&h);
        Err err;
        err_clear(&err);
        if (history_read_file(&h, p, &err) != 0) {
            app_msg(a, ROLE_ERROR, "%s", err.msg);
            history_free(&h);
            continue;
        }
        if (h.n_steps == 0) {
            app_msg(a, ROLE_WARN, "%s: this run has no loss history yet (train it for a few steps)", p);
            history_free(&h);
            continue;
        }
        AppCmpRun *c = &a->insp.cmp[a->insp.n_cmp++];
        const char *base = strrchr(p, '/');
        base = base ? base + 1 : p;
        size_t len = strcspn(base, ".");
        snprintf(c->name, sizeof c->name, "%.*s", (int)(len ? len : strlen(base)), base);
        c->x = xmalloc(sizeof(double) * HISTORY_RECENT);
        c->y = xmalloc(sizeof(double) * HISTORY_RECENT);
        c->n = history_series(&h, HIST_LOSS, 0, c->x, c->y, HISTORY_RECENT);
        if (c->n == 0) { /* a record with steps but no points cannot load; be safe anyway */
            free(c->x);
            free(c->y);
            a->insp.n_cmp--;
            history_free(&h);
            continue;
        }
        app_msg(a, ROLE_GOOD, "comparing with %s: %d points to step %ld, last loss %.4f", c->name, c->n,
                history_latest_step(&h), c->y[c->n - 1]);
        history_free(&h);
    }
}

/* :gradcheck [CELL]: the gradient check of gradcheck.h (a tiny model, ~50 ms) as a table in the messages. */
void app_gradcheck(App *a, const char *arg)
{
    CellType cell = a->view.mcfg.cell;
    int layers = a->view.mcfg.layers;
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

