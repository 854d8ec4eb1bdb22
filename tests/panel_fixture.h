/* panel_fixture.h — a realistic dashboard snapshot for widget tests, and the
 * checks every panel must pass at every size.
 *
 * fixture_fill builds what app.c would hand panels_draw in the middle of a
 * troubled run: a 3-layer lstm (every tensor's state_dict name, the group
 * names history_group_name gives, gate norms of very different sizes,
 * update ratios from 1e-7 to 3), a loss history with validation points, a
 * long top-k list, many findings with long sentences, and the inspector's
 * data (flow heatmap, histogram with awkward statistics). fixture_render
 * draws the default or the inspector layout of it at w x h.
 *
 * fixture_cut_numbers scans a drawn grid for numbers that were cut: a run of
 * number characters (digits . e + -) that touches a panel's right border or
 * the screen's right edge, ends in '.', 'e' or '-', or does not read as one
 * number ("1e-11e0": two labels run together). fixture_cut_names finds a
 * tensor name shortened without an ellipsis or without its layer ("weight_ih_l"
 * instead of "w_ih_l0"). Test-only: static functions, one copy per test.
 */
#ifndef RNNSCOPE_PANEL_FIXTURE_H
#define RNNSCOPE_PANEL_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"
#include "history.h"
#include "inspector.h"
#include "layout.h"
#include "panels.h"

enum { FIXTURE_LAYERS = 3, FIXTURE_LOSS_N = 400, FIXTURE_VAL_N = 8, FIXTURE_FINDINGS = 9, FIXTURE_TOPK = 20 };

typedef struct {
    PanelData d;
    InspectorData id;
    StepInfo step;
    Histogram hist;
    Finding findings[FIXTURE_FINDINGS];
    char names[STEP_MAX_TENSORS][48];
    double lx[FIXTURE_LOSS_N], ly[FIXTURE_LOSS_N], sy[FIXTURE_LOSS_N];
    double vx[FIXTURE_VAL_N], vy[FIXTURE_VAL_N];
    TextPane *sample, *messages;
} Fixture;

static void fixture_finding(Finding *f, FindingId id, Severity sev, int depth, FindingId cause, const char *subject,
                            const char *text)
{
    memset(f, 0, sizeof *f);
    f->id = id;
    f->severity = sev;
    f->depth = depth;
    f->cause = cause;
    f->since = 40;
    snprintf(f->subject, sizeof f->subject, "%s", subject);
    snprintf(f->text, sizeof f->text, "%s", text);
    snprintf(f->advice, sizeof f->advice, "lower --lr to about 0.0005 and set --clip 5");
    f->numbers[0] = (FindingNumber){"update_ratio", 0.3141};
    f->numbers[1] = (FindingNumber){"lr", 1};
    f->n_numbers = 2;
}

/* The tensor names of a FIXTURE_LAYERS lstm, as model.c names them. */
static int fixture_names(char (*names)[48])
{
    int n = 0;
    snprintf(names[n++], 48, "embedding.weight");
    for (int k = 0; k < FIXTURE_LAYERS; k++) {
        snprintf(names[n++], 48, "rnn.weight_ih_l%d", k);
        snprintf(names[n++], 48, "rnn.weight_hh_l%d", k);
        snprintf(names[n++], 48, "rnn.bias_ih_l%d", k);
        snprintf(names[n++], 48, "rnn.bias_hh_l%d", k);
    }
    snprintf(names[n++], 48, "head.weight");
    snprintf(names[n++], 48, "head.bias");
    return n;
}

static void fixture_fill(Fixture *x)
{
    memset(x, 0, sizeof *x);
    PanelData *d = &x->d;
    d->cell = "lstm";
    d->layers = FIXTURE_LAYERS;
    d->hidden = 512;
    d->embed = 64;
    d->vocab = 65;
    d->n_params = 5462081;
    d->corpus = "tinyshakespeare.txt";
    d->tokenizer = "char";
    d->step = 123456;
    d->total_steps = 200000;
    d->epoch = 12.3456;
    d->tokens_per_s = 98765.4;
    d->lr = 0.00123f;
    d->clip = 5;
    d->state = "running";
    d->elapsed_s = 3725;
    d->eta_s = 2301;
    d->loss = 1.23456f;
    d->val_loss = 1.34567f;
    for (int i = 0; i < FIXTURE_LOSS_N; i++) {
        x->lx[i] = 300.0 * (i + 1);
        x->ly[i] = 1.2 + 3.0 * exp(-i / 60.0) + 0.05 * sin(i * 0.7);
        x->sy[i] = 1.2 + 3.0 * exp(-i / 60.0);
    }
    for (int i = 0; i < FIXTURE_VAL_N; i++) {
        x->vx[i] = 15000.0 * (i + 1);
        x->vy[i] = 1.3 + 2.5 * exp(-i / 1.5);
    }
    d->loss_x = x->lx;
    d->loss_y = x->ly;
    d->smooth_y = x->sy;
    d->loss_n = FIXTURE_LOSS_N;
    d->val_x = x->vx;
    d->val_y = x->vy;
    d->val_n = FIXTURE_VAL_N;
    d->smoothing = 0.95;
    d->ngram_order = 3;
    d->ngram_loss = 1.87654;

    d->n_layers = FIXTURE_LAYERS;
    d->n_gates = 4;
    d->gate_names = "ifgo";
    d->n_groups = history_n_groups(FIXTURE_LAYERS);
    for (int i = 0; i < d->n_groups; i++) {
        history_group_name(i, FIXTURE_LAYERS, d->group_name[i], sizeof d->group_name[i]);
        d->group_norm[i] = 0.0123456 * pow(7.3, i % 4) + 1e-7;
        d->group_flag[i] = i == 1 ? GRAD_FLAG_VANISHING : i == d->n_groups - 1 ? GRAD_FLAG_EXPLODING : GRAD_FLAG_OK;
        snprintf(d->group_why[i], sizeof d->group_why[i], "100x below the median of the others");
        for (int k = 0; k < PANELS_SPARK; k++)
            d->spark[i][k] = d->group_norm[i] * (1 + 0.3 * sin(k + i));
    }
    d->spark_n = PANELS_SPARK;
    for (int l = 0; l < FIXTURE_LAYERS; l++)
        for (int k = 0; k < 4; k++)
            d->gate_norms[l][k] = (float)(0.0098765 * pow(31.0, k) / (l + 1));
    d->clip_count = 1234;
    d->steps_seen = 123456;
    d->have_step = 1;
    d->temperature = 0.8f;
    d->k = 0;

    int nt = fixture_names(x->names);
    d->n_tensors = nt;
    for (int i = 0; i < nt; i++) {
        size_t nl = strnlen(x->names[i], sizeof d->tensor_names[i] - 1); /* distinct arrays of x */
        memcpy(d->tensor_names[i], x->names[i], nl);
        d->tensor_names[i][nl] = '\0';
        d->tensor_grad[i] = (float)(0.00123456 * pow(10, i % 5));
        d->tensor_update[i] = (float)(3e-7 * pow(10, i % 7));
    }

    static const char *const texts[FIXTURE_FINDINGS] = {
        "learning rate 1 moved the weight matrices by up to 0.31 of their size per step (median; healthy runs "
        "stay below 0.088), too far for this loss surface",
        "the loss ran away: 13.95 nats/token now, worse than guessing uniformly (ln V = 4.32)",
        "layer 0 input gate: 99% of its activations are pinned at the ends of their range",
        "layer 1: 123 of 512 hidden units (24%) do not change over a chunk: they are dead",
        "layer 2: the gradient of a loss falls 10x every 3.14 steps back (1e-10 of it reaches t-49)",
        "layer 0: the forget gates are shut (mean 0.0123): the cell state is wiped every step",
        "clipping fired on 98 of the last 100 steps: --clip 5 cuts nearly every gradient",
        "the validation loss 1.3457 has risen 12% above its best 1.2012 at step 45000",
        "the model has 5462081 parameters for 1003854 training tokens (5.4x)",
    };
    static const FindingId ids[FIXTURE_FINDINGS] = {FD_LR_HIGH,    FD_DIVERGED,     FD_SATURATED,
                                                    FD_DEAD_UNITS, FD_VANISHING,    FD_FORGET_SHUT,
                                                    FD_CLIP_ALWAYS, FD_OVERFITTING, FD_CORPUS_SMALL};
    static const char *const subjects[FIXTURE_FINDINGS] = {
        "run", "run", "layer 0 input gate", "layer 1", "layer 2", "layer 0 forget gate", "run", "run", "run"};
    for (int i = 0; i < FIXTURE_FINDINGS; i++)
        fixture_finding(&x->findings[i], ids[i], i < 2 ? SEV_PROBLEM : i < 7 ? SEV_WARNING : SEV_NOTE,
                        i >= 1 && i <= 3 ? 1 : 0, i >= 1 && i <= 3 ? FD_LR_HIGH : FD_NONE, subjects[i], texts[i]);
    d->findings = x->findings;
    d->n_findings = FIXTURE_FINDINGS;
    d->n_problems = 2;
    d->n_warnings = 5;

    x->sample = textpane_new(0);
    x->messages = textpane_new(0);
    textpane_append(x->sample, ROLE_TEXT, "ROMEO: What light through yonder window breaks? It is the east.");
    textpane_append(x->messages, ROLE_TEXT, "step 123456: validation loss 1.34567 (best 1.2012 at step 45000)");
    d->sample = x->sample;
    d->messages = x->messages;

    /* the inspector */
    StepInfo *s = &x->step;
    s->step = d->step;
    s->n_layers = FIXTURE_LAYERS;
    s->n_gates = 4;
    s->n_tensors = nt;
    s->flow_len = 100;
    s->flow_stride = 1;
    s->decay_step = 123450;
    for (int l = 0; l < FIXTURE_LAYERS; l++)
        for (int t = 0; t < 100; t++) {
            s->flow[l * 100 + t] = (float)pow(10, -(99 - t) * 0.05 - l);
            s->decay[l * 100 + t] = (float)pow(10, -(99 - t) * 0.1 - l);
        }
    for (int l = 0; l < FIXTURE_LAYERS; l++) {
        for (int k = 0; k < 4; k++) {
            s->gate_grad_norms[l][k] = d->gate_norms[l][k];
            s->gate_sat[l][k] = k == 1 ? 0.987f : 0.123f * (k + 1);
        }
        s->gate_mean[l] = 0.0456f * (l + 1);
    }
    for (int i = 0; i < nt; i++)
        s->update_ratio[i] = d->tensor_update[i];
    Histogram *h = &x->hist;
    h->n_bins = 64;
    h->min = -0.0123456f;
    h->max = 0.0234567f;
    for (int i = 0; i < 64; i++)
        h->bins[i] = (long)(100000 * exp(-(i - 20) * (i - 20) / 50.0));
    h->count = 0;
    for (int i = 0; i < 64; i++)
        h->count += h->bins[i];
    h->sum = 1.23456e-3 * h->count;
    h->sum_sq = 9.8765e-5 * h->count;
    h->n_nonfinite = 0;
    InspectorData *id = &x->id;
    id->cur = s;
    id->cell = CELL_LSTM;
    id->n_tensors = nt;
    id->tensor_names = (const char(*)[48])x->names;
    id->findings = x->findings;
    id->n_findings = FIXTURE_FINDINGS;
    id->hist = h;
    id->hist_what = "grad:rnn.weight_hh_l2";
    id->hist_step = 123450;
    id->ngram_loss = NAN;
}

static void fixture_free(Fixture *x)
{
    textpane_free(x->sample);
    textpane_free(x->messages);
}

/* Draw layout `name` ("default" or "inspector") of x at the grid's size. */
static void fixture_render(Grid *g, Layout *l, Fixture *x, const char *name)
{
    layout_compute(l, name, g->w, g->h);
    int insp = !strcmp(name, "inspector");
    x->d.inspect = insp ? &x->id : NULL;
    x->d.inspector_keys = insp;
    panels_draw(g, l, &x->d);
}

static int fixture_is_num(uint32_t c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '+' || c == '-';
}

static int fixture_is_wordch(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A vertical frame line: a panel's side or a divider. */
static int fixture_is_border(GridCell c)
{
    return c.role == ROLE_BORDER && (c.ch == 0x2502 || c.ch == 0x256e || c.ch == 0x256f);
}

/* Whether the number characters s[0..n) read as one whole number. */
static int fixture_number_ok(const char *s, int n)
{
    char buf[64];
    if (n <= 0 || n >= (int)sizeof buf)
        return 0;
    memcpy(buf, s, (size_t)n);
    buf[n] = '\0';
    char last = buf[n - 1];
    if (last == '.' || last == 'e' || last == '-' || last == '+')
        return 0;
    char *end;
    strtod(buf, &end);
    return *end == '\0';
}

/* The first cut number in row y of g (its text and column into what/col); 0 if none. */
static int fixture_row_cut(const Grid *g, int y, char *what, size_t cap, int *col)
{
    for (int x = 0; x < g->w; x++) {
        uint32_t c = grid_get(g, x, y).ch;
        if (!fixture_is_num(c))
            continue;
        int a = x, b = x;
        while (b < g->w && fixture_is_num(grid_get(g, b, y).ch))
            b++;
        x = b;
        uint32_t before = a > 0 ? grid_get(g, a - 1, y).ch : ' ';
        uint32_t after = b < g->w ? grid_get(g, b, y).ch : ' ';
        char s[64];
        int n = 0, digit = 0;
        for (int k = a; k < b && n < 63; k++) {
            s[n] = (char)grid_get(g, k, y).ch;
            digit |= s[n] >= '0' && s[n] <= '9';
            n++;
        }
        s[n] = '\0';
        /* a unit or suffix belongs to the number: "120k", "93%", "12s", "27x" */
        int end = b;
        if (after == 'k' || after == 'M' || after == 'G' || after == 'T' || after == '%' || after == 's' ||
            after == 'x') {
            end = b + 1;
            after = end < g->w ? grid_get(g, end, y).ch : ' ';
        }
        /* only numbers standing alone: not "l0", "F12", "t-49", "2x128", "3-gram", "1m20s" */
        if (!digit || fixture_is_wordch(before) || (after < 0x80 && fixture_is_wordch(after)))
            continue;
        /* a sentence's full stop after a number is not a cut */
        int m = n;
        if (m > 1 && s[m - 1] == '.' && after == ' ')
            m--;
        const char *p = s;
        int touches = end >= g->w || fixture_is_border(grid_get(g, end, y));
        if (touches || !fixture_number_ok(p, m)) {
            snprintf(what, cap, "%s", s);
            *col = a;
            return 1;
        }
    }
    return 0;
}

/* Every row of g: the first cut number, described into msg; 0 if none. */
static int fixture_cut_numbers(const Grid *g, char *msg, size_t cap)
{
    for (int y = 0; y < g->h; y++) {
        char what[64];
        int col;
        if (fixture_row_cut(g, y, what, sizeof what, &col)) {
            char line[4096];
            grid_row_text(g, y, line, sizeof line);
            snprintf(msg, cap, "row %d col %d '%s' in '%s'", y, col, what, line);
            return 1;
        }
    }
    return 0;
}

/* A tensor name shortened badly: "weight_ih_l" / "bias_hh_" (the layer
 * lost) or "weight_i" (cut without "…"). Returns 1 and describes it. */
static int fixture_cut_names(const Grid *g, char *msg, size_t cap)
{
    static const char *const stems[] = {"weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l",
                                        "w_ih_l",      "w_hh_l",      "b_ih_l",    "b_hh_l"};
    for (int y = 0; y < g->h; y++) {
        char line[4096];
        grid_row_text(g, y, line, sizeof line);
        for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++)
            for (const char *p = strstr(line, stems[i]); p; p = strstr(p + 1, stems[i])) {
                char next = p[strlen(stems[i])];
                if (next < '0' || next > '9') {
                    snprintf(msg, cap, "row %d: '%s' without its layer in '%s'", y, stems[i], line);
                    return 1;
                }
            }
        /* a name cut short without an ellipsis: "weight_" or "weight_i" followed by a space or border */
        static const char *const heads[] = {"weight_ ", "weight_i ", "weight_h ", "weight_│", "weight_i│", "weight_h│",
                                            "bias_ ",   "bias_i ",   "bias_h ",   "embedding.w ", "embedding.w│"};
        for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
            if (strstr(line, heads[i])) {
                snprintf(msg, cap, "row %d: a name cut without '…' ('%s') in '%s'", y, heads[i], line);
                return 1;
            }
    }
    return 0;
}

#endif
