/* app.c — the dashboard's event loop (see app.h).
 *
 * The loop's order each turn: wait in poll() (stdin, the runner's wake-up
 * pipe, the signal pipe, a timeout for the next frame or the next periodic
 * sample); take keys and hand them to readline; execute accepted lines; pull
 * messages, new weights and metrics from the runner; update the prompt state
 * (one token per appended character); advance a streaming sample by a few
 * tokens; render when something changed and the frame budget allows.
 *
 * Lua: ":run SCRIPT", ":lua CODE", "= expr" and the init file start a
 * script in the host (src/lua/lua_host.h); the loop resumes it a time slice
 * at a time (app_lua_tick) and hands its steps to the runner one by one, so
 * the screen stays live while it trains: app_lua.c. The inspector's data,
 * :compare and :gradcheck: app_inspector.c. The findings (the box, the
 * badge, messages when one appears, F11/F12 selection): app_findings.c.
 */
#include "app.h"

#include "app_internal.h"
#include "paths.h"
#include "run_guard.h"


double app_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void app_state_dir(char *out, size_t cap)
{
    Err e;
    paths_state_dir(out, cap);
    paths_mkdir_p(out, &e); /* for the input history: the dashboard runs without it */
}

int app_default_save_path(const TrainConfig *c, char *out, size_t cap, Err *err)
{
    char dir[PATH_MAX], runs[PATH_MAX + 8];
    paths_state_dir(dir, sizeof dir);
    snprintf(runs, sizeof runs, "%s/runs", dir);
    return run_unique_path(runs, c, out, cap, err);
}

/* What the overwrite guard (run_guard.h) knows of the run of generation
 * app_ident_gen: taken from the Trainer whenever the runner is idle (and at
 * start), so a :save while training checks against the last one known. */
static RunIdent app_ident;
static long app_ident_gen = -1;

/* The current run's identity into *id; 0 when it is not known (a run loaded
 * while training went on), and then only the runner's save checks. */
static int app_current_ident(App *a, RunIdent *id)
{
    RunView v;
    if (runner_idle(a->run)) {
        run_ident(runner_trainer(a->run), &app_ident);
        runner_view(a->run, &v);
        app_ident_gen = v.generation;
    } else {
        runner_view(a->run, &v);
    }
    if (app_ident_gen != v.generation)
        return 0;
    *id = app_ident;
    id->step = v.step;
    return 1;
}

/* :save [PATH], :save! PATH and :save PATH --force (quotes, \ escapes and ~ read as a shell would). */
static void app_save_cmd(App *a, const TuiCmd *c)
{
    char path[TRAIN_PATH_MAX], why[TRAIN_PATH_MAX + 96];
    if (!c->has_arg)
        snprintf(path, sizeof path, "%s", a->save_path);
    else if (paths_user_path(c->text, path, sizeof path, why, sizeof why) != 0) {
        app_msg(a, ROLE_ERROR, ":save %s", why);
        return;
    }
    int force = c->force || (a->opt.force && !strcmp(path, a->save_path));
    RunIdent id;
    Err err;
    if (!force && app_current_ident(a, &id) && run_guard_check(&id, path, "use :save! PATH to replace it", &err))
        app_msg(a, ROLE_ERROR, "%s", err.msg);
    else
        runner_send(a->run, RUN_CMD_SAVE, force, 0, path);
}

/* The save on the way out: to save_path, unless it now holds another run
 * (and --force was not given): then to a new file of this run's own, whose
 * name goes into save_path; *moved_from keeps the refused path. */
static int app_quit_save(App *a, Trainer *rt, char *moved_from, size_t cap, Err *err)
{
    RunIdent id;
    Err g;
    run_ident(rt, &id);
    moved_from[0] = '\0';
    if (!a->opt.force && run_guard_check(&id, a->save_path, "", &g) != 0) {
        snprintf(moved_from, cap, "%s", a->save_path);
        int rc = app_default_save_path(&rt->cfg, a->save_path, sizeof a->save_path, err);
        if (rc)
            return rc;
    }
    return trainer_save(rt, a->save_path, err);
}

void app_msg(App *a, Role role, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    textpane_append(a->msgs, role, buf);
    a->dirty = 1;
}

/* ---- weights, prompt, samples ---------------------------------------------- */

/* Free the UI's copy of the model, its tokenizer and samplers. */
static void app_release_model(App *a)
{
    if (!a->have_pm)
        return;
    prompt_free(&a->prompt);
    prompt_rnn_free(&a->smp);
    prompt_rnn_free(&a->label_rnn);
    free(a->scratch);
    model_free(&a->pm);
    tokenizer_free(&a->tok);
    a->have_pm = 0;
}

/* A new run (start or :load): rebuild the UI's model copy and samplers. */
static void app_new_generation(App *a)
{
    app_release_model(a);
    if (a->lua.host && !a->lua.running)
        luahost_attach_trainer(a->lua.host, NULL); /* the old run may be freed: attach afresh when needed */
    runner_view(a->run, &a->view);
    ModelConfig mc = a->view.mcfg;
    mc.dropout = 0;
    runner_tokenizer(a->run, &a->tok);
    a->generation = a->view.generation;
    app_findings_forget(a);
    a->next_sample_s = 0; /* a fresh sample from this model at once */
    if (a->view.no_weights) { /* watching a run that has not saved yet: no weights to run */
        tokenizer_free(&a->tok);
        return;
    }
    Err err;
    if (model_new(&a->pm, &mc, &err) != 0) {
        app_msg(a, ROLE_ERROR, "%s", err.msg);
        tokenizer_free(&a->tok);
        return;
    }
    a->wver = -1;
    runner_weights(a->run, &a->wver, a->pm.params, a->pm.n_params, &a->wstep);
    prompt_init(&a->prompt, &a->pm, &a->tok);
    prompt_rnn_init(&a->smp, &a->pm);
    prompt_rnn_init(&a->label_rnn, &a->pm);
    a->scratch = xmalloc(sizeof(float) * SAMPLE_SCRATCH_FLOATS(mc.vocab));
    a->have_pm = 1;
    a->pm_seq++;
    a->sampling = 0;
    a->text[0] = '\x01'; /* force a prompt update */
    a->text[1] = '\0';
}

static void app_update_prompt(App *a, int force)
{
    if (!a->have_pm)
        return;
    const char *t = input_text();
    if (t[0] == ':' || t[0] == '=') {
        /* a command, not a prompt: keep the bars for the last prompt */
        if (!force)
            return;
        t = "";
    }
    if (!force && !strcmp(t, a->text))
        return;
    snprintf(a->text, sizeof a->text, "%s", t);
    if (prompt_set_text(&a->prompt, a->text, strlen(a->text)) < 0)
        return;
    const float *logits = prompt_logits(&a->prompt);
    a->topk_n = logits ? sample_topk(logits, a->pm.cfg.vocab, a->temp, a->topk, a->top_ids, a->top_probs) : 0;
    app_bars_labels(a);
    a->dirty = 1;
}

/* The sample pane (app_emit, app_start_sample, app_advance_sample, the
 * periodic sample, Enter's continuation): app_sample.c. */

/* ---- commands ---------------------------------------------------------------- */

static void app_set_theme(App *a, const char *name)
{
    Theme t;
    Err err;
    if (theme_load_named(&t, &a->dirs, name, &err) != 0) {
        app_msg(a, ROLE_ERROR, "%s", err.msg);
        theme_free(&t);
        return;
    }
    for (int i = 0; i < t.nwarnings; i++)
        app_msg(a, ROLE_WARN, "%s", t.warnings[i]);
    theme_free(&a->theme);
    a->theme = t;
    screen_apply_theme(&a->scr, &a->theme);
    app_msg(a, ROLE_GOOD, "theme %s%s%s", a->theme.name, a->theme.path[0] ? " from " : " (built in)", a->theme.path);
}

void app_set_layout(App *a, const char *name)
{
    if (layout_find(name) < 0) {
        char list[256] = "";
        for (int i = 0; layout_name(i); i++) {
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, layout_name(i), sizeof list - strlen(list) - 1);
        }
        app_msg(a, ROLE_ERROR, "unknown layout '%s'; there are: %s", name, list);
        return;
    }
    snprintf(a->layout_name, sizeof a->layout_name, "%s", name);
    a->inspector = !strcmp(name, "inspector");
    app_units_set_on(a, !strcmp(name, "units"));
    a->dirty = 1;
}

/* F2 and :screen: dashboard -> inspector -> units -> dashboard (Shift-F2 back). */
static void app_next_screen(App *a, int dir)
{
    static const char *const screens[] = {"default", "inspector", "units"};
    int at = a->inspector ? 1 : a->units.on ? 2 : 0;
    app_set_layout(a, screens[(at + 3 + dir) % 3]);
}

/* --csv and --tensorboard: opened before the screen, written by the trainer thread. */
static int app_exports_open(App *a, const AppOptions *o, Err *err)
{
    int rc;
    a->csv.ngram_loss = NAN;
    if (o->csv_path && (rc = csvlog_open(&a->csv, o->csv_path, err)) != 0)
        return rc;
    if (o->tb_dir && (rc = tbwriter_open(&a->tb, o->tb_dir, err)) != 0)
        return rc;
    return 0;
}

static void app_exports_close(App *a)
{
    csvlog_close(&a->csv);
    tbwriter_close(&a->tb);
}

static void app_execute(App *a, const char *line)
{
    TuiCmd c;
    char msg[512];
    if (commands_parse(line, &c, msg, sizeof msg) != 0) {
        app_msg(a, ROLE_ERROR, "%s", msg);
        return;
    }
    if (app_show_setting(a, &c)) { /* ":lr" alone: the value now */
        a->dirty = 1;
        return;
    }
    if (a->opt.watch && app_watch_execute(a, &c)) { /* the run trains elsewhere */
        a->dirty = 1;
        return;
    }
    switch (c.kind) {
    case TCMD_EMPTY:
        app_units_enter(a);
        break;
    case TCMD_PROMPT:
        app_continue_text(a, line); /* the accepted line: readline has emptied its buffer */
        break;
    case TCMD_PAUSE:
        if (!app_lua_blocks(a, ":pause"))
            runner_send(a->run, RUN_CMD_PAUSE, 0, 0, NULL);
        break;
    case TCMD_RUN:
        if (c.has_arg)
            app_route_lua(a, &c);
        else if (!app_lua_blocks(a, ":run"))
            runner_send(a->run, RUN_CMD_RUN, 0, 0, NULL);
        break;
    case TCMD_STEP:
        if (!app_lua_blocks(a, ":step"))
            runner_send(a->run, RUN_CMD_STEP, c.n, 0, NULL);
        break;
    case TCMD_STEPS:
        if (!app_lua_blocks(a, ":steps"))
            runner_send(a->run, RUN_CMD_SET_STEPS, c.n, 0, NULL);
        break;
    case TCMD_EVAL:
        if (!app_lua_blocks(a, ":eval"))
            runner_send(a->run, RUN_CMD_EVAL, 0, 0, NULL);
        break;
    case TCMD_LR:
        if (!app_lua_blocks(a, ":lr"))
            runner_send(a->run, RUN_CMD_SET_LR, 0, c.x, NULL);
        break;
    case TCMD_CLIP:
        if (!app_lua_blocks(a, ":clip"))
            runner_send(a->run, RUN_CMD_SET_CLIP, 0, c.x, NULL);
        break;
    case TCMD_TEMP:
        a->temp = (float)c.x;
        app_update_prompt(a, 1);
        app_msg(a, ROLE_TEXT, "temperature %g", c.x);
        break;
    case TCMD_TOPK:
        a->topk = (int)c.n;
        app_update_prompt(a, 1);
        break;
    case TCMD_SAVE:
        if (!app_lua_blocks(a, ":save"))
            app_save_cmd(a, &c);
        break;
    case TCMD_LOAD: {
        if (app_lua_blocks(a, ":load"))
            break;
        char path[TRAIN_PATH_MAX], why[TRAIN_PATH_MAX + 96];
        if (paths_user_path(c.text, path, sizeof path, why, sizeof why) != 0) {
            app_msg(a, ROLE_ERROR, ":load %s", why);
            break;
        }
        /* the save path follows only once the load succeeded (app_pull_runner):
         * a refused file must never be overwritten by the save on the way out */
        runner_send(a->run, RUN_CMD_LOAD, 0, 0, path);
        break;
    }
    case TCMD_SAMPLE: app_start_sample(a, 0, (int)c.n); break;
    case TCMD_THEME: app_set_theme(a, c.text); break;
    case TCMD_LAYOUT: app_set_layout(a, c.text); break;
    case TCMD_SMOOTH: a->smoothing = c.x; break;
    case TCMD_LOGY: a->log_y = !a->log_y; break;
    case TCMD_WINDOW: a->window = c.n; break;
    case TCMD_SCREEN: app_next_screen(a, 1); break;
    case TCMD_UNITS: app_units_command(a, c.text); break;
    case TCMD_UNIT: app_units_select(a, c.text); break;
    case TCMD_FIND: app_units_find(a, c.text); break;
    case TCMD_MARK: app_units_show(a); app_units_mark(a); break;
    case TCMD_CLEAR: textpane_clear(a->msgs); break;
    case TCMD_HELP: a->help = 1; a->help_scroll = 0; break;
    case TCMD_QUIT: a->quit = 1; break;
    case TCMD_LUA:
    case TCMD_EXPR: app_route_lua(a, &c); break;
    case TCMD_STOP:
        if (a->lua.host && luahost_busy(a->lua.host)) {
            luahost_interrupt(a->lua.host, 0);
            app_msg(a, ROLE_WARN, "stopping the script");
        } else {
            app_msg(a, ROLE_DIM, "no script is running");
        }
        break;
    case TCMD_COMPARE: app_compare(a, c.text); break;
    case TCMD_GRADCHECK: app_gradcheck(a, c.text); break;
    case TCMD_NGRAM:
        if (!app_lua_blocks(a, ":ngram"))
            runner_send(a->run, RUN_CMD_NGRAM, c.n, 0, NULL);
        break;
    case TCMD_COUNT: break;
    }
    a->dirty = 1;
}

/* ---- keys ---------------------------------------------------------------------- */

static void app_resize(App *a)
{
    int w, h;
    screen_size(&a->scr, &w, &h);
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    grid_resize(&a->grid, w, h);
    screen_invalidate(&a->scr);
    a->dirty = 1;
}

/* Keys while the help screen shows: arrows, PgUp/PgDn, Home/End scroll it;
 * Esc, q, Enter and F1 close it; F10 still quits; the rest are ignored so a
 * stray key does not hide what is being read. */
static void app_help_key(App *a, int key)
{
    Rect hr = panels_help_rect(a->grid.w, a->grid.h);
    int max = panels_help_max_scroll(hr);
    int page = hr.h - 4 > 1 ? hr.h - 4 : 1;
    switch (key) {
    case 27: case 'q': case '\r': case '\n': case KEY_ENTER: case KEY_F(1): a->help = 0; break;
    case KEY_F(10): a->quit = 1; break;
    case KEY_UP: case 'k': a->help_scroll--; break;
    case KEY_DOWN: case 'j': a->help_scroll++; break;
    case KEY_PPAGE: a->help_scroll -= page; break;
    case KEY_NPAGE: case ' ': a->help_scroll += page; break;
    case KEY_HOME: a->help_scroll = 0; break;
    case KEY_END: a->help_scroll = max; break;
    default: break;
    }
    if (a->help_scroll > max)
        a->help_scroll = max;
    if (a->help_scroll < 0)
        a->help_scroll = 0;
}

static void app_key(App *a, int key)
{
    if (key == KEY_RESIZE) {
        app_resize(a);
        return;
    }
    if (a->help) {
        app_help_key(a, key);
        a->dirty = 1;
        return;
    }
    if (!a->key_s)
        a->key_s = app_now();
    if (app_units_key(a, key)) {
        a->dirty = 1;
        return;
    }
    switch (key) {
    case KEY_F(1): a->help = 1; a->help_scroll = 0; break;
    case KEY_F(2): app_next_screen(a, 1); break;
    case KEY_F(14): app_next_screen(a, -1); break; /* Shift-F2 */
    case KEY_F(3): a->log_y = !a->log_y; break;
    case KEY_F(4): a->window = a->window ? 0 : 500; break;
    case KEY_F(5): {
        if (app_lua_blocks(a, "F5"))
            break;
        runner_view(a->run, &a->view);
        int go = a->view.paused || a->view.phase == PHASE_DONE; /* a finished run says so */
        runner_send(a->run, go ? RUN_CMD_RUN : RUN_CMD_PAUSE, 0, 0, NULL);
        break;
    }
    case KEY_F(6):
        if (!app_lua_blocks(a, "F6"))
            runner_send(a->run, RUN_CMD_STEP, 1, 0, NULL);
        break;
    case KEY_F(7): app_start_sample(a, 0, 200); break;
    case KEY_F(8):
        if (!app_lua_blocks(a, "F8"))
            app_hist_cycle(a, 0, 1);
        break;
    case KEY_F(9):
        if (!app_lua_blocks(a, "F9"))
            app_hist_cycle(a, 1, 0);
        break;
    case KEY_F(10): a->quit = 1; break;
    case KEY_F(11): case KEY_SR: app_findings_select(a, -1); break; /* KEY_SR: Shift-Up */
    case KEY_F(12): case KEY_SF: app_findings_select(a, 1); break;  /* KEY_SF: Shift-Down */
    case KEY_PPAGE: textpane_scroll(a->msgs, 5); break;
    case KEY_NPAGE: textpane_scroll(a->msgs, -5); break;
    case 12: screen_invalidate(&a->scr); break; /* Ctrl-L */
    default: input_key(key); break;
    }
    a->dirty = 1;
}

/* ---- rendering ------------------------------------------------------------------ */

static void app_render(App *a)
{
    static PanelData d;
    memset(&d, 0, sizeof d);
    layout_compute(&a->lay, a->layout_name, a->grid.w, a->grid.h);
    const RunView *r = &a->view;
    d.cell = cell_name(r->mcfg.cell);
    d.layers = r->mcfg.layers;
    d.hidden = r->mcfg.hidden;
    d.embed = r->mcfg.embed;
    d.vocab = r->mcfg.vocab;
    d.n_params = r->n_params;
    const char *base = strrchr(r->cfg.corpus, '/');
    static char corpus[TRAIN_PATH_MAX];
    snprintf(corpus, sizeof corpus, "%s", base ? base + 1 : r->cfg.corpus);
    d.corpus = corpus;
    d.tokenizer = tok_name(r->cfg.tokenizer);
    d.step = r->step;
    d.total_steps = r->cfg.steps;
    d.epoch = r->epoch;
    d.tokens_per_s = r->have_last ? r->last.tokens_per_s : 0;
    d.lr = r->have_last ? r->last.lr : r->cfg.lr;
    d.clip = r->cfg.clip;
    d.state = r->watching ? r->watch_state
              : !a->lua.running ? runner_phase_name(r->phase) : a->lua.status[0] ? a->lua.status : "script running";
    /* time spent training, not paused: the ETA follows the pace of the steps taken */
    d.elapsed_s = r->active_s;
    d.eta_s = r->cfg.steps > 0 && r->steps_run > 0 && r->step < r->cfg.steps
                  ? r->active_s / r->steps_run * (r->cfg.steps - r->step)
                  : -1;
    d.loss = r->have_last ? r->last.loss : NAN;
    d.val_loss = r->last_val;
    d.n_layers = r->mcfg.layers;
    d.n_gates = r->mcfg.cell == CELL_RNN ? 0 : cell_gates(r->mcfg.cell);
    d.gate_names = r->mcfg.cell == CELL_LSTM ? "ifgo" : r->mcfg.cell == CELL_GRU ? "rzn" : "";
    const History *h = runner_history_begin(a->run);
    d.loss_n = history_series(h, HIST_LOSS, a->window, a->lx, a->ly, APP_MAX_POINTS);
    d.val_n = history_val(h, a->window, a->vx, a->vy, HISTORY_VAL_MAX);
    d.clip_count = h->clip_count;
    d.steps_seen = h->n_steps;
    const HistRecent *cur = history_recent(h, 0);
    if (!r->have_last && cur)
        d.loss = cur->loss; /* a resumed run: its last step is in the record */
    d.have_step = cur != NULL; /* the record's last step: also a resumed run's, before it steps again */
    if (cur) {
        d.n_groups = history_n_groups(d.n_layers);
        for (int i = 0; i < d.n_groups; i++) {
            history_group_name(i, d.n_layers, d.group_name[i], sizeof d.group_name[i]);
            d.group_norm[i] = history_group_norm(cur->grad_norms, i, d.n_layers);
            d.group_flag[i] = history_grad_flag(h, i, r->cfg.clip, d.group_why[i], sizeof d.group_why[i]);
            d.spark_n = history_group_norms(h, i, d.spark[i], PANELS_SPARK);
        }
        memcpy(d.gate_norms, cur->gate_grad_norms, sizeof d.gate_norms);
    }
    runner_history_end(a->run);
    if (r->have_last) {
        d.n_tensors = r->last.n_tensors;
        for (int i = 0; i < d.n_tensors; i++) {
            d.tensor_grad[i] = r->last.grad_norms[i];
            d.tensor_update[i] = r->last.update_ratio[i];
            snprintf(d.tensor_names[i], sizeof d.tensor_names[i], "%s", r->tensor_names[i]);
        }
    }
    if (d.loss_n > 0) {
        chart_ema_debiased(a->ly, d.loss_n, a->smoothing, a->sy);
    }
    d.loss_x = a->lx;
    d.loss_y = a->ly;
    d.smooth_y = a->sy;
    d.val_x = a->vx;
    d.val_y = a->vy;
    d.log_y = a->log_y;
    d.window = a->window;
    d.n_user = a->lua.n_plots;
    for (int i = 0; i < a->lua.n_plots; i++) {
        d.user_name[i] = a->lua.plots[i].name;
        d.user_x[i] = a->lua.plots[i].x;
        d.user_y[i] = a->lua.plots[i].y;
        d.user_n[i] = a->lua.plots[i].n;
    }
    d.smoothing = a->smoothing;
    d.tok = &a->tok;
    d.k = a->have_pm ? a->topk_n : 0;
    memcpy(d.ids, a->top_ids, sizeof d.ids);
    memcpy(d.probs, a->top_probs, sizeof d.probs);
    memcpy(d.labels, a->top_labels, sizeof d.labels);
    d.temperature = a->temp;
    d.prompt = a->text;
    d.n_unknown = a->have_pm ? a->prompt.n_unknown : 0;
    d.sample = a->sample;
    d.messages = a->msgs;
    app_findings_fill(a, &d);
    app_inspector_fill(a, &d);
    d.help = a->help;
    d.help_scroll = a->help_scroll;
    d.inspector_keys = a->units.on ? 2 : a->inspector;
    d.watching = r->watching;
    panels_draw(&a->grid, &a->lay, &d);
    app_units_draw(a);
    int cx = -1, cy = -1;
    if (!a->lay.too_small && layout_has(&a->lay, PANEL_INPUT) && !a->help) {
        Rect ir = a->lay.panel[PANEL_INPUT];
        cx = input_draw(&a->grid, ir, "› ", ROLE_INPUT, ROLE_TITLE);
        cy = ir.y;
    }
    screen_present(&a->scr, &a->grid, cx, cy);
    double now = app_now();
    if (a->key_s) {
        double lat = (now - a->key_s) * 1e3;
        a->lat_sum += lat;
        a->lat_n++;
        if (lat > a->lat_max)
            a->lat_max = lat;
        if (a->debug)
            fprintf(a->debug, "key_to_frame_ms %.3f fed_total %ld cells %ld\n", lat, a->prompt.fed_total,
                    a->scr.cells_sent);
        a->key_s = 0;
    }
    a->last_frame_s = now;
    a->dirty = 0;
}

/* ---- the loop -------------------------------------------------------------------- */

static void app_pull_runner(App *a)
{
    RunnerMsg m;
    while (runner_pop_message(a->run, &m)) {
        Role role = m.level == RUNNER_MSG_ERROR  ? ROLE_ERROR
                    : m.level == RUNNER_MSG_WARN ? ROLE_WARN
                    : m.level == RUNNER_MSG_GOOD ? ROLE_GOOD
                                                 : ROLE_TEXT;
        textpane_append(a->msgs, role, m.text);
        a->dirty = 1;
    }
    runner_view(a->run, &a->view);
    if (a->view.loads != a->loads_seen) {
        a->loads_seen = a->view.loads;
        snprintf(a->save_path, sizeof a->save_path, "%s", a->view.loaded_path);
    }
    RunPhase phase = a->view.phase;
    if (a->view.generation != a->generation)
        app_new_generation(a);
    app_lua_hooks_tick(a);
    app_findings_tick(a);
    if (a->have_pm && runner_weights(a->run, &a->wver, a->pm.params, a->pm.n_params, &a->wstep)) {
        app_lua_apply_ablation(a); /* rnn.ablate: the bars and samples run without those units */
        a->pm_seq++;
        prompt_weights_changed(&a->prompt);
        app_update_prompt(a, 1);
    }
    if (a->opt.exit_at_end && phase == PHASE_DONE)
        a->quit = 1;
    app_inspector_tick(a);
}

static int app_loop(App *a)
{
    while (!a->quit) {
        double now = app_now();
        int timeout_ms;
        double frame_gap = a->key_s ? APP_KEY_FRAME_S : APP_FRAME_S;
        if (a->dirty) {
            double wait = a->last_frame_s + frame_gap - now;
            timeout_ms = wait > 0 ? (int)(wait * 1e3) + 1 : 0;
        } else {
            timeout_ms = 1000; /* the clock in the status line */
            double ws = a->next_sample_s - now;
            if (ws * 1e3 < timeout_ms)
                timeout_ms = ws > 0 ? (int)(ws * 1e3) + 1 : 0;
        }
        if (a->sampling || a->lua.phase == APP_LUA_READY || app_units_busy(a))
            timeout_ms = 0;
        struct pollfd pf[3] = {
            {STDIN_FILENO, POLLIN, 0}, {runner_wake_fd(a->run), POLLIN, 0}, {screen_signal_fd(), POLLIN, 0}};
        int n = poll(pf, 3, timeout_ms);
        if (n < 0 && errno != EINTR)
            break;
        if (screen_take_line_clear()) { /* Ctrl-C on a non-empty line */
            input_cancel();
            a->dirty = 1;
        }
        if (screen_signal_pending()) {
            a->quit = 1;
            break;
        }
        if (n > 0 && (pf[1].revents & POLLIN)) {
            runner_drain(a->run);
            a->dirty = 1;
        }
        int key;
        int keys = 0;
        while ((key = getch()) != ERR) {
            app_key(a, key);
            keys++;
            char *line;
            int got;
            while ((got = input_take(&line)) != 0) {
                if (got == 2) {
                    a->quit = 1;
                } else {
                    app_execute(a, line);
                    free(line);
                }
            }
            if (a->quit)
                break;
        }
        if (keys) {
            input_idle();
            char notice[1024];
            if (input_take_notice(notice, sizeof notice))
                app_msg(a, ROLE_DIM, "%s", notice);
            if (input_changed())
                a->dirty = 1;
            app_update_prompt(a, 0);
        }
        screen_set_line_busy(input_busy()); /* Ctrl-C then clears the line instead */
        app_pull_runner(a);
        now = app_now();
        app_sample_tick(a, now);
        app_advance_sample(a);
        app_lua_tick(a);
        app_units_tick(a);
        if (now - a->last_frame_s >= 1.0)
            a->dirty = 1;
        frame_gap = a->key_s ? APP_KEY_FRAME_S : APP_FRAME_S;
        if (a->dirty && now - a->last_frame_s >= frame_gap)
            app_render(a);
    }
    return 0;
}

int app_run(Trainer *t, const AppOptions *o, Err *err)
{
    static App app; /* one dashboard per process; static keeps it off the stack */
    App *a = &app;
    memset(a, 0, sizeof *a);
    a->opt = *o;
    a->temp = 1.0f;
    a->topk = 10;
    a->smoothing = 0.9;
    a->find_sel = FD_NONE;
    app_inspector_init(a);
    if (o->watch)
        a->insp.hist_kind = 0; /* a watch has the checkpoint's weights, not the gradients */
    snprintf(a->layout_name, sizeof a->layout_name, "%s", o->layout ? o->layout : "default");
    if (layout_find(a->layout_name) < 0) {
        int rc = err_set(err, ERR_INPUT, "--layout %s: unknown layout; try default, wide or tall", a->layout_name);
        trainer_free(t);
        free(t);
        return rc;
    }
    a->inspector = !strcmp(a->layout_name, "inspector");
    app_units_set_on(a, !strcmp(a->layout_name, "units"));
    theme_dirs_default(&a->dirs, NULL);
    if (theme_load_named(&a->theme, &a->dirs, o->theme ? o->theme : "default", err) != 0) {
        theme_free(&a->theme);
        trainer_free(t);
        free(t);
        return err->code;
    }
    if (o->save_path)
        snprintf(a->save_path, sizeof a->save_path, "%s", o->save_path);
    else if (app_default_save_path(&t->cfg, a->save_path, sizeof a->save_path, err) != 0) {
        theme_free(&a->theme);
        trainer_free(t);
        free(t);
        return err->code;
    }
    snprintf(t->save_path, sizeof t->save_path, "%.*s", (int)sizeof t->save_path - 1, a->save_path); /* keep_best */
    run_ident(t, &app_ident);
    if (app_exports_open(a, o, err) != 0 ||
        (t->origin[0] && a->tb.f && tbwriter_session_start(&a->tb, t->step + 1, err) != 0)) { /* resumed */
        app_exports_close(a);
        theme_free(&a->theme);
        trainer_free(t);
        free(t);
        return err->code;
    }
    const char *dbg = getenv("RNNSCOPE_DEBUG_LOG");
    if (dbg && *dbg)
        a->debug = fopen(dbg, "w");
    if (a->debug)
        setvbuf(a->debug, NULL, _IOLBF, 0);

    if (screen_open(&a->scr, err) != 0) {
        app_exports_close(a);
        theme_free(&a->theme);
        trainer_free(t);
        free(t);
        if (a->debug)
            fclose(a->debug);
        return err->code;
    }
    screen_apply_theme(&a->scr, &a->theme);
    a->msgs = textpane_new(0);
    a->sample = textpane_new(500);
    for (int i = 0; i < a->theme.nwarnings; i++)
        app_msg(a, ROLE_WARN, "%s", a->theme.warnings[i]);
    char hist[PATH_MAX + 16], dir[PATH_MAX];
    app_state_dir(dir, sizeof dir);
    snprintf(hist, sizeof hist, "%s/history", dir);
    input_open(hist, &a->dirs);
    a->lx = xmalloc(sizeof(double) * APP_MAX_POINTS);
    a->ly = xmalloc(sizeof(double) * APP_MAX_POINTS);
    a->sy = xmalloc(sizeof(double) * APP_MAX_POINTS);
    a->vx = xmalloc(sizeof(double) * HISTORY_VAL_MAX);
    a->vy = xmalloc(sizeof(double) * HISTORY_VAL_MAX);
    rng_seed(&a->rng, (uint64_t)time(NULL));
    int w, h;
    screen_size(&a->scr, &w, &h);
    grid_init(&a->grid, w > 0 ? w : 1, h > 0 ? h : 1);
    if (t->note[0])
        app_msg(a, ROLE_TEXT, "note: %s", t->note);
    app_msg(a, ROLE_DIM, "F1 or :help lists every command; type text to see the next-token probabilities");
    a->next_sample_s = app_now() + 1.0;
    int status = 0;
    a->run = runner_new();
    if ((o->watch ? runner_start_watch(a->run, t, o->watch, err) : runner_start(a->run, t, o->start_paused, err)) != 0) {
        status = err->code;
        trainer_free(t);
        free(t);
    } else {
        app_new_generation(a);
        app_ident_gen = a->generation;
        runner_set_exports(a->run, a->csv.f ? &a->csv : NULL, a->tb.f ? &a->tb : NULL);
        if (o->ngram > 0)
            runner_send(a->run, RUN_CMD_NGRAM, o->ngram, 0, NULL);
        runner_view(a->run, &a->view);
        TrainConfig lua_defaults = a->view.cfg; /* a script's rnn.trainer{} starts from the dashboard's settings */
        if (!o->watch) { /* a script drives a run this process trains */
            app_lua_open(a, &lua_defaults);
            app_lua_init_file(a);
        }
        a->dirty = 1;
        app_loop(a);
        screen_route_interrupt(0);
        runner_stop(a->run);
    }
    /* save on the way out, while the screen still shows the run */
    Err serr;
    err_clear(&serr);
    int saved = 0;
    long step = 0;
    char moved_from[TRAIN_PATH_MAX] = "";
    double tps = 0;
    long steps_run = 0;
    if (status == 0 && !o->watch) {
        Trainer *rt = runner_trainer(a->run);
        step = rt->step;
        saved = app_quit_save(a, rt, moved_from, sizeof moved_from, &serr) == 0;
        runner_view(a->run, &a->view);
        tps = a->view.active_s > 0 ? a->view.tokens / a->view.active_s : 0;
        steps_run = a->view.steps_run;
    }
    input_close();
    screen_close(&a->scr);
    if (status == 0 && o->watch) {
        fprintf(stderr, "rnnscope: stopped watching %s (the run is not touched)\n", runner_trainer(a->run)->log_path);
    } else if (status == 0) {
        char quoted[2 * TRAIN_PATH_MAX];
        paths_shell_quote(a->save_path, quoted, sizeof quoted);
        if (saved && moved_from[0])
            fprintf(stderr, "rnnscope: not saved over %s: it holds another run\n", moved_from);
        if (saved)
            fprintf(stderr, "rnnscope: run saved to %s (step %ld); continue with: rnnscope tui --resume %s\n",
                    a->save_path, step, quoted);
        else {
            fprintf(stderr, "rnnscope: %s\n", serr.msg);
            status = serr.code ? serr.code : ERR_RUNTIME;
        }
        if (steps_run > 0)
            fprintf(stderr, "rnnscope: dashboard trained %ld steps at %.0f tokens/s\n", steps_run, tps);
        if (a->lat_n > 0 && a->debug)
            fprintf(a->debug, "key_to_frame_ms mean %.3f max %.3f over %ld frames\n", a->lat_sum / a->lat_n,
                    a->lat_max, a->lat_n);
    }
    app_release_model(a);
    app_lua_close(a); /* before the runner frees the Trainer the host borrows */
    runner_free(a->run); /* after runner_start failed it holds no trainer */
    a->run = NULL;
    textpane_free(a->msgs);
    textpane_free(a->sample);
    theme_free(&a->theme);
    grid_free(&a->grid);
    free(a->lx);
    free(a->ly);
    free(a->sy);
    free(a->vx);
    free(a->vy);
    if (a->debug)
        fclose(a->debug);
    app_inspector_free(a);
    app_units_free(a);
    app_exports_close(a); /* after runner_free: the trainer thread wrote them */
    return status;
}
