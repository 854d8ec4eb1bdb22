/* app_units.c — the units screen's data: which text, which unit, the capture
 * of every unit's activations on the UI's weight copy (spread over loop turns,
 * refreshed as the network trains but never more than APP_UNITS_DUTY of the
 * time), the ranking from :find or a marked span, the n-gram comparison, and
 * the screen's keys and commands. Drawing is unitview.c's.
 */
#include "app_internal.h"

#include "unitview.h"

/* ---- the text and the capture ---------------------------------------------------- */

static void app_units_drop_capture(AppUnits *u)
{
    if (u->have_cap)
        units_capture_free(&u->cap);
    if (u->computing)
        units_capture_free(&u->next);
    u->have_cap = u->computing = 0;
}

static void app_units_drop_text(AppUnits *u)
{
    app_units_drop_capture(u);
    if (u->have_text)
        units_text_free(&u->text);
    u->have_text = 0;
    free(u->ngram_loss);
    u->ngram_loss = NULL;
    u->have_buckets = 0;
}

void app_units_free(App *a)
{
    AppUnits *u = &a->units;
    app_units_drop_text(u);
    ngram_free(u->ngram);
    u->ngram = NULL;
    free(u->heldout);
    u->heldout = NULL;
}

/* The held-out text's ids (copied once per run generation). */
static int app_units_heldout(App *a, const int **ids)
{
    AppUnits *u = &a->units;
    if (u->heldout_gen != a->generation || !u->heldout) {
        free(u->heldout);
        u->n_heldout = runner_corpus(a->run, 1, APP_UNITS_MAX_TOKENS, &u->heldout);
        u->heldout_gen = a->generation;
        for (size_t i = 0; i < u->n_heldout; i++)
            if (u->heldout[i] < 0 || u->heldout[i] >= a->tok.vocab_size) {
                /* the runner has moved on to another run already: try again when the UI has it */
                free(u->heldout);
                u->heldout = NULL;
                u->n_heldout = 0;
                u->heldout_gen = -1;
                break;
            }
    }
    *ids = u->heldout;
    return (int)u->n_heldout;
}

/* Multiply-adds times two of one position's forward: the input and recurrent
 * products of every layer and the head. */
static double app_units_flop_per_token(const ModelConfig *c)
{
    double G = cell_gates(c->cell), H = c->hidden, f = 2.0 * H * c->vocab;
    for (int l = 0; l < c->layers; l++)
        f += 2.0 * G * H * ((l ? H : c->embed) + H);
    return f;
}

/* The text the screen should show now, into *out; 0 if there is none (note
 * says why). */
static int app_units_want_text(App *a, UnitText *out)
{
    AppUnits *u = &a->units;
    if (!a->have_pm) {
        snprintf(u->note, sizeof u->note, "no weights yet");
        return 0;
    }
    if (u->typed) {
        if (!u->typed_text[0]) {
            snprintf(u->note, sizeof u->note, "type text on the input line: it is coloured by the unit (F7: "
                                              "the held-out text)");
            return 0;
        }
        Err err;
        err_clear(&err);
        UnitText t;
        if (units_text_encode(&t, &a->tok, u->typed_text, strlen(u->typed_text), "the typed text", &err)) {
            snprintf(u->note, sizeof u->note, "%s", err.msg);
            return 0;
        }
        *out = t;
        return 1;
    }
    const int *ids;
    int n = app_units_heldout(a, &ids);
    if (n == 0) {
        if (a->view.no_corpus[0]) /* watching from a machine without the run's corpus */
            snprintf(u->note, sizeof u->note, "the held-out text needs the run's corpus (%.400s); F7 shows the typed "
                     "text instead", a->view.no_corpus);
        else
            snprintf(u->note, sizeof u->note, "this run has no held-out split: F7 shows the typed text instead");
        return 0;
    }
    /* as much text as the memory and the work budget allow */
    size_t per = units_capture_bytes(&a->pm.cfg, 1);
    double fit = (double)APP_UNITS_MAX_BYTES / (double)(per ? per : 1);
    double work = APP_UNITS_MAX_FLOP / app_units_flop_per_token(&a->pm.cfg);
    if (work < fit)
        fit = work;
    if (fit < APP_UNITS_MIN_TOKENS)
        fit = APP_UNITS_MIN_TOKENS;
    units_text_from_ids(out, &a->tok, ids, n < fit ? n : (int)fit);
    return 1;
}

/* Start a capture of the current text on the UI's weights. */
static void app_units_begin(App *a)
{
    AppUnits *u = &a->units;
    if (u->computing) {
        units_capture_free(&u->next);
        u->computing = 0;
    }
    u->cap_wver = a->pm_seq;
    u->cap_gen = a->generation;
    u->cell = a->pm.cfg.cell;
    u->cap_step = a->wstep;
    u->cap_typed = u->typed;
    snprintf(u->cap_text, sizeof u->cap_text, "%s", u->typed_text);
    UnitText nt;
    if (!app_units_want_text(a, &nt)) {
        app_units_drop_capture(u);
        if (u->have_text)
            units_text_free(&u->text);
        u->have_text = 0;
        return;
    }
    Err err;
    err_clear(&err);
    if (units_capture_begin(&u->next, &a->pm, nt.ids, nt.n, &err)) {
        snprintf(u->note, sizeof u->note, "%s", err.msg);
        units_text_free(&nt);
        return;
    }
    u->computing = 1;
    u->busy_s = 0;
    /* a new text (not a refresh of the same one) is shown as it is computed;
     * a refresh keeps showing the last capture until the new one is complete */
    int same = u->have_text && u->text.n == nt.n && u->text.len == nt.len &&
               !memcmp(u->text.text, nt.text, nt.len);
    u->shown_partial = !same;
    if (same) {
        units_text_free(&nt);
        return;
    }
    if (u->have_cap)
        units_capture_free(&u->cap);
    u->have_cap = 0;
    if (u->have_text)
        units_text_free(&u->text);
    u->text = nt;
    u->have_text = 1;
    u->cursor = u->mark_a = u->mark_b = -1;
    u->scroll = 0;
    u->n_rank = 0;
    free(u->ngram_loss);
    u->ngram_loss = NULL;
    u->have_buckets = 0;
}

/* The n-gram's per-position loss of the shown text (counted once per run). */
static void app_units_ngram(App *a)
{
    AppUnits *u = &a->units;
    if (!u->have_text || u->ngram_loss)
        return;
    if (!u->ngram || u->ngram_gen != a->generation) {
        ngram_free(u->ngram);
        u->ngram = NULL;
        int *train;
        size_t n = runner_corpus(a->run, 0, APP_UNITS_NGRAM_TRAIN, &train);
        Err err;
        err_clear(&err);
        if (n < 2 || ngram_build(&u->ngram, train, n, APP_UNITS_NGRAM_ORDER, a->pm.cfg.vocab, &err)) {
            free(train);
            u->ngram = NULL;
            return;
        }
        free(train);
        u->ngram_gen = a->generation;
    }
    u->ngram_loss = xmalloc((size_t)u->text.n * sizeof *u->ngram_loss);
    units_ngram_loss(u->ngram, u->text.ids, u->text.n, APP_UNITS_NGRAM_ORDER, u->ngram_loss);
}

static void app_units_rerank(App *a);
static int app_units_cell(const App *a);
static void app_units_take_selection(App *a);
static void app_units_report_top(App *a);

/* The capture in progress is complete: it becomes the one shown. */
static void app_units_finish(App *a, double now)
{
    AppUnits *u = &a->units;
    if (u->have_cap)
        units_capture_free(&u->cap);
    u->cap = u->next;
    u->have_cap = 1;
    u->computing = 0;
    u->shown_partial = 0;
    memset(&u->next, 0, sizeof u->next);
    u->shown_step = u->cap_step;
    /* the next refresh waits long enough that this work is at most APP_UNITS_DUTY of the time */
    double wait = u->busy_s / APP_UNITS_DUTY;
    u->next_due_s = now + (wait > APP_UNITS_REFRESH_S ? wait : APP_UNITS_REFRESH_S);
    app_units_ngram(a);
    if (u->ngram_loss && u->have_cap) {
        units_error_summary(&u->text, u->cap.loss, u->ngram_loss, APP_UNITS_NGRAM_ORDER, u->buckets);
        u->have_buckets = 1;
    }
    app_units_rerank(a);
    if (u->announce) { /* a :find asked before the activations were there */
        u->announce = 0;
        app_units_take_selection(a);
        app_units_report_top(a);
    }
    a->dirty = 1;
}

void app_units_tick(App *a)
{
    AppUnits *u = &a->units;
    if (!u->on)
        return;
    /* the typed text is the input line's last non-empty prompt: clearing the
     * line for a command keeps it */
    if (a->text[0] && strcmp(a->text, "\x01")) /* \x01: app_new_generation's "not yet" */
        snprintf(u->typed_text, sizeof u->typed_text, "%s", a->text);
    if ((u->cap_gen != a->generation || !a->have_pm) && (u->have_cap || u->computing || u->have_text)) {
        /* another run (:load, a script's): its model may have other shapes; a
         * new cell starts from its first kind */
        app_units_drop_text(u);
        if (a->have_pm && u->cell != a->pm.cfg.cell)
            u->kind = 0;
        u->n_rank = 0;
        u->cursor = u->mark_a = u->mark_b = -1;
    }
    if (!a->have_pm || a->view.generation != a->generation) {
        if (!a->have_pm && a->view.no_weights)
            snprintf(u->note, sizeof u->note, "no weights yet: they come with the watched run's first checkpoint");
        return; /* the UI's weights are not the runner's run yet */
    }
    double now = app_now();
    if (!u->computing) {
        int text_changed = u->typed != u->cap_typed || (u->typed && strcmp(u->cap_text, u->typed_text));
        int weights_changed = u->cap_wver != a->pm_seq || u->cap_gen != a->generation;
        if (u->cap_gen != a->generation)
            text_changed = 1;
        if (text_changed || (weights_changed && now >= u->next_due_s) || u->want_refresh) {
            u->want_refresh = 0;
            app_units_begin(a);
            a->dirty = 1;
        }
        if (!u->computing)
            return;
    }
    /* one slice of work per loop turn, so keys and frames keep coming */
    double t0 = app_now();
    UnitCapture *c = &u->next;
    while (units_capture_run(c, UNITS_CHUNK) > 0 && app_now() - t0 < APP_UNITS_SLICE_S) {
    }
    u->busy_s += app_now() - t0;
    if (u->shown_partial)
        a->dirty = 1;
    if (c->done == c->n)
        app_units_finish(a, app_now());
}

int app_units_busy(const App *a)
{
    return a->units.on && a->units.computing && a->have_pm;
}

/* ---- ranking --------------------------------------------------------------------- */

/* Run the current query on the shown capture. */
static void app_units_rerank(App *a)
{
    AppUnits *u = &a->units;
    if (u->query == APP_UNITS_Q_NONE || u->query == APP_UNITS_Q_LUA || !u->have_cap || !u->have_text)
        return; /* rnn.units' ranking is its own: it is not re-run here */
    const UnitCapture *c = &u->cap;
    if (u->query == APP_UNITS_Q_SPAN) {
        int b = u->mark_b > u->mark_a ? u->mark_b : u->mark_a + 1;
        u->n_rank = u->mark_a >= 0 && b <= c->done
                        ? units_rank_span(c, u->kind, -1, u->mark_a, b, u->rank, APP_UNITS_RANK_MAX)
                        : 0;
        if (u->n_rank < 0)
            u->n_rank = 0;
        u->rank_span = 1;
        snprintf(u->rank_title, sizeof u->rank_title, "span %d..%d, %s", u->mark_a, b - 1,
                 units_kind_name(c->cfg.cell, u->kind));
    } else {
        double *sig = xmalloc((size_t)u->text.n * sizeof *sig);
        char msg[256] = "";
        int ok = 0;
        if (u->query == APP_UNITS_Q_LINE)
            units_signal_line(&u->text, sig), ok = 1;
        else if (u->query == APP_UNITS_Q_INDENT)
            units_signal_indent(&u->text, sig), ok = 1;
        else
            ok = units_signal_regex(&u->text, u->query_text, sig, msg, sizeof msg) == 0;
        if (!ok) {
            app_msg(a, ROLE_ERROR, "%s", msg);
            u->query = APP_UNITS_Q_NONE;
            free(sig);
            return;
        }
        int varies = 0;
        for (int i = 1; i < u->text.n && !varies; i++)
            varies = sig[i] != sig[0];
        if (!varies) {
            app_msg(a, ROLE_WARN, "find %s: the signal is the same at every position of this text (no match?); "
                                  "nothing to correlate with", u->query_text);
            u->query = APP_UNITS_Q_NONE;
            u->n_rank = 0;
            u->announce = 0;
            free(sig);
            return;
        }
        u->n_rank = units_rank(c, u->kind, -1, sig, u->rank, APP_UNITS_RANK_MAX);
        if (u->n_rank < 0)
            u->n_rank = 0;
        u->rank_span = 0;
        snprintf(u->rank_title, sizeof u->rank_title, "find %s, %s", u->query_text,
                 units_kind_name(c->cfg.cell, u->kind));
        free(sig);
    }
    if (u->rank_sel >= u->n_rank)
        u->rank_sel = u->n_rank ? u->n_rank - 1 : 0;
}

/* Colour the text by the selected entry of the ranked list. */
static void app_units_take_selection(App *a)
{
    AppUnits *u = &a->units;
    if (u->rank_sel < 0 || u->rank_sel >= u->n_rank)
        return;
    u->layer = u->rank[u->rank_sel].layer;
    u->unit = u->rank[u->rank_sel].unit;
}

static void app_units_report_top(App *a)
{
    AppUnits *u = &a->units;
    if (u->n_rank == 0) {
        app_msg(a, ROLE_DIM, "%s: no unit to rank", u->rank_title);
        return;
    }
    const UnitScore *s = &u->rank[0];
    app_msg(a, ROLE_GOOD, "%s: best l%d unit %d, %s %+.3f%s", u->rank_title, s->layer, s->unit,
            u->rank_span ? "inside - around" : "r", s->score,
            u->n_rank > 1 ? "; F11/F12 walk the list" : "");
}

/* :find REGEX | line | indent | off */
void app_units_find(App *a, const char *arg)
{
    AppUnits *u = &a->units;
    app_units_show(a);
    if (!strcmp(arg, "off")) {
        u->query = APP_UNITS_Q_NONE;
        u->n_rank = 0;
        app_msg(a, ROLE_DIM, "ranking cleared");
        return;
    }
    u->query = !strcmp(arg, "line") ? APP_UNITS_Q_LINE : !strcmp(arg, "indent") ? APP_UNITS_Q_INDENT : APP_UNITS_Q_REGEX;
    snprintf(u->query_text, sizeof u->query_text, "%s", arg);
    u->rank_sel = 0;
    if (!u->have_cap || u->computing) {
        app_msg(a, ROLE_DIM, "find %s: ranking when the activations are computed", arg);
        u->announce = 1;
        return;
    }
    app_units_rerank(a);
    if (u->query != APP_UNITS_Q_NONE) {
        app_units_take_selection(a);
        app_units_report_top(a);
    }
}

void app_units_take_ranking(App *a, const UnitScore *s, int n, int kind, const char *find)
{
    AppUnits *u = &a->units;
    if (n > APP_UNITS_RANK_MAX)
        n = APP_UNITS_RANK_MAX;
    memcpy(u->rank, s, (size_t)n * sizeof *s);
    u->n_rank = n;
    u->rank_sel = 0;
    u->rank_span = 0;
    u->kind = kind;
    u->query = APP_UNITS_Q_LUA;
    snprintf(u->rank_title, sizeof u->rank_title, "rnn.units %s, %s", find,
             units_kind_name((CellType)app_units_cell(a), kind));
    app_units_take_selection(a);
    if (u->on)
        app_units_report_top(a);
}

/* Insert or :mark: the span's start, then its end (and rank it), then clear. */
void app_units_mark(App *a)
{
    AppUnits *u = &a->units;
    if (!u->have_text || u->cursor < 0) {
        app_msg(a, ROLE_WARN, "move the cursor into the text first (Shift-arrows), then mark");
        return;
    }
    if (u->mark_a < 0 || u->mark_b > u->mark_a) {
        u->mark_a = u->cursor;
        u->mark_b = -1;
        if (u->query == APP_UNITS_Q_SPAN) {
            u->query = APP_UNITS_Q_NONE;
            u->n_rank = 0;
        }
        app_msg(a, ROLE_DIM, "span starts at %d; move to its end and mark again", u->cursor);
        return;
    }
    int lo = u->mark_a < u->cursor ? u->mark_a : u->cursor, hi = u->mark_a < u->cursor ? u->cursor : u->mark_a;
    u->mark_a = lo;
    u->mark_b = hi + 1;
    u->query = APP_UNITS_Q_SPAN;
    u->rank_sel = 0;
    if (!u->have_cap || u->computing) {
        app_msg(a, ROLE_DIM, "span %d..%d: ranking when the activations are computed", lo, hi);
        u->announce = 1;
        return;
    }
    app_units_rerank(a);
    app_units_take_selection(a);
    app_units_report_top(a);
}

/* ---- selection, keys and commands ------------------------------------------------ */

static int app_units_cell(const App *a)
{
    return a->have_pm ? (int)a->pm.cfg.cell : (int)a->view.mcfg.cell;
}

/* Keep layer, unit and kind inside the model. */
static void app_units_clamp(App *a)
{
    AppUnits *u = &a->units;
    const ModelConfig *m = a->have_pm ? &a->pm.cfg : &a->view.mcfg;
    int L = m->layers > 0 ? m->layers : 1, H = m->hidden > 0 ? m->hidden : 1;
    int K = units_n_kinds((CellType)app_units_cell(a));
    u->layer = (u->layer % L + L) % L;
    u->unit = (u->unit % H + H) % H;
    u->kind = (u->kind % K + K) % K;
}

void app_units_show(App *a)
{
    if (!a->units.on)
        app_set_layout(a, "units");
}

void app_units_set_on(App *a, int on)
{
    AppUnits *u = &a->units;
    if (on && !u->on)
        u->want_refresh = !u->have_cap || u->cap_wver != a->pm_seq;
    u->on = on;
}

/* :unit [l]L:UNIT[:KIND] | UNIT | KIND */
void app_units_select(App *a, const char *arg)
{
    AppUnits *u = &a->units;
    app_units_show(a);
    CellType cell = (CellType)app_units_cell(a);
    char buf[64];
    snprintf(buf, sizeof buf, "%s", arg);
    char *p = buf[0] == 'l' && buf[1] >= '0' && buf[1] <= '9' ? buf + 1 : buf;
    int kind = units_kind_parse(cell, p);
    if (kind >= 0) {
        u->kind = kind;
        return;
    }
    char *fields[3] = {p, NULL, NULL};
    for (int i = 1; i < 3 && fields[i - 1]; i++) {
        char *colon = strchr(fields[i - 1], ':');
        if (colon) {
            *colon = '\0';
            fields[i] = colon + 1;
        }
    }
    long v[2];
    int nv = fields[1] ? 2 : 1;
    for (int i = 0; i < nv; i++) {
        char *end;
        v[i] = strtol(fields[i], &end, 10);
        if (end == fields[i] || *end) {
            app_msg(a, ROLE_ERROR, ":unit %s: give UNIT, L:UNIT or L:UNIT:KIND (kinds: %s)", arg,
                    units_kind_list(cell));
            return;
        }
    }
    const ModelConfig *m = a->have_pm ? &a->pm.cfg : &a->view.mcfg;
    long layer = nv == 2 ? v[0] : u->layer, unit = nv == 2 ? v[1] : v[0];
    if (layer < 0 || layer >= m->layers || unit < 0 || unit >= m->hidden) {
        app_msg(a, ROLE_ERROR, ":unit %s: the model has layers 0..%d and units 0..%d", arg, m->layers - 1,
                m->hidden - 1);
        return;
    }
    if (fields[2]) {
        int k = units_kind_parse(cell, fields[2]);
        if (k < 0) {
            app_msg(a, ROLE_ERROR, ":unit %s: kind '%s' is not one of %s", arg, fields[2], units_kind_list(cell));
            return;
        }
        u->kind = k;
    }
    u->layer = (int)layer;
    u->unit = (int)unit;
}

/* :units [text|saturation|loss|ngram|typed|heldout] */
void app_units_command(App *a, const char *arg)
{
    AppUnits *u = &a->units;
    app_units_show(a);
    static const char *const views[UV_VIEWS] = {"text", "saturation", "loss", "ngram"};
    if (!arg[0])
        return;
    for (int i = 0; i < UV_VIEWS; i++)
        if (!strcmp(arg, views[i])) {
            u->mode = i;
            return;
        }
    if (!strcmp(arg, "typed") || !strcmp(arg, "heldout")) {
        u->typed = !strcmp(arg, "typed");
        return;
    }
    app_msg(a, ROLE_ERROR, ":units %s: give text, saturation, loss, ngram, typed or heldout", arg);
}

static void app_units_move_cursor(App *a, int tokens, int lines)
{
    AppUnits *u = &a->units;
    if (!u->have_text || u->text.n == 0)
        return;
    if (u->cursor < 0) {
        u->cursor = 0;
        return;
    }
    if (lines) {
        Rect r = a->lay.panel[PANEL_UNITS];
        UnitViewData d;
        app_units_fill(a, &d);
        u->cursor = unitview_cursor_line(&u->text, unitview_text_width(r, &d), u->cursor, lines);
    }
    u->cursor += tokens;
    if (u->cursor < 0)
        u->cursor = 0;
    if (u->cursor >= u->text.n)
        u->cursor = u->text.n - 1;
}

int app_units_key(App *a, int key)
{
    AppUnits *u = &a->units;
    if (!u->on)
        return 0;
    switch (key) {
    case KEY_F(3): u->kind++; break;
    case KEY_F(15): u->kind--; break;           /* Shift-F3 */
    case KEY_F(4): u->mode = (UnitViewMode)((u->mode + 1) % UV_VIEWS); break;
    case KEY_F(16): u->mode = (UnitViewMode)((u->mode + UV_VIEWS - 1) % UV_VIEWS); break;
    case KEY_F(7): u->typed = !u->typed; break;
    case KEY_F(8): u->unit++; break;
    case KEY_F(20): u->unit--; break;           /* Shift-F8 */
    case KEY_F(9): u->layer++; break;
    case KEY_F(21): u->layer--; break;          /* Shift-F9 */
    case KEY_F(11):
        if (u->rank_sel > 0)
            u->rank_sel--;
        app_units_take_selection(a);
        break;
    case KEY_F(12):
        if (u->rank_sel + 1 < u->n_rank)
            u->rank_sel++;
        app_units_take_selection(a);
        break;
    case KEY_SLEFT: app_units_move_cursor(a, -1, 0); break;
    case KEY_SRIGHT: app_units_move_cursor(a, 1, 0); break;
    case KEY_SR: app_units_move_cursor(a, 0, -1); break;  /* Shift-Up */
    case KEY_SF: app_units_move_cursor(a, 0, 1); break;   /* Shift-Down */
    case KEY_IC: app_units_mark(a); break;                /* Insert */
    case KEY_PPAGE: app_units_move_cursor(a, 0, -APP_UNITS_PAGE); break; /* the view follows the cursor */
    case KEY_NPAGE: app_units_move_cursor(a, 0, APP_UNITS_PAGE); break;
    default: return 0;
    }
    if ((key == KEY_F(3) || key == KEY_F(15)) && u->query == APP_UNITS_Q_LUA) {
        u->query = APP_UNITS_Q_NONE; /* rnn.units ranked another kind: run it again for this one */
        u->n_rank = 0;
    }
    if (key == KEY_F(3) || key == KEY_F(15))
        app_units_rerank(a); /* the ranking is per kind */
    if ((key == KEY_F(11) || key == KEY_F(12)) && u->n_rank == 0)
        app_msg(a, ROLE_DIM, "no ranked list: :find REGEX|line|indent, or mark a span with Insert");
    if ((key == KEY_F(9) || key == KEY_F(21)) && a->have_pm && a->pm.cfg.layers == 1)
        app_msg(a, ROLE_DIM, "the model has one layer");
    app_units_clamp(a);
    return 1;
}

/* Enter on an empty line: colour the text by the selected entry. */
int app_units_enter(App *a)
{
    AppUnits *u = &a->units;
    if (!u->on || u->n_rank == 0)
        return 0;
    app_units_take_selection(a);
    app_msg(a, ROLE_DIM, "colouring by l%d unit %d", u->layer, u->unit);
    return 1;
}

/* ---- drawing ---------------------------------------------------------------------- */

void app_units_fill(App *a, UnitViewData *d)
{
    AppUnits *u = &a->units;
    app_units_clamp(a);
    memset(d, 0, sizeof *d);
    const ModelConfig *m = a->have_pm ? &a->pm.cfg : &a->view.mcfg;
    d->cell = (CellType)app_units_cell(a);
    d->layers = m->layers;
    d->hidden = m->hidden;
    d->layer = u->layer;
    d->unit = u->unit;
    d->kind = u->kind;
    d->mode = u->mode;
    d->source = u->typed ? "typed text" : "held-out text";
    d->text = u->have_text ? &u->text : NULL;
    d->cap = u->shown_partial && u->computing ? &u->next : u->have_cap ? &u->cap : NULL;
    d->step = d->cap == &u->next ? u->cap_step : u->shown_step;
    d->note = u->note;
    d->cursor = u->cursor;
    d->mark_a = u->mark_a;
    d->mark_b = u->mark_b;
    d->rank = u->n_rank ? u->rank : NULL;
    d->n_rank = u->n_rank;
    d->rank_sel = u->rank_sel;
    d->rank_span = u->rank_span;
    d->rank_title = u->rank_title;
    d->ngram_loss = u->ngram_loss;
    d->buckets = u->have_buckets ? u->buckets : NULL;
    d->ngram_order = APP_UNITS_NGRAM_ORDER;
    d->ngram_note = a->view.no_corpus[0] ? "the n-gram is counted on the run's corpus, which cannot be read here" : NULL;
}

void app_units_draw(App *a)
{
    AppUnits *u = &a->units;
    if (!layout_has(&a->lay, PANEL_UNITS))
        return;
    UnitViewData d;
    app_units_fill(a, &d);
    unitview_draw(&a->grid, a->lay.panel[PANEL_UNITS], &d, &u->scroll);
}
