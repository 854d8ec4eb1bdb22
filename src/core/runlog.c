/* runlog.c — a growing --log file read back into the run's record (see runlog.h). */
#include "runlog.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"

void runlog_init(RunLog *l, const char *path)
{
    memset(l, 0, sizeof *l);
    snprintf(l->path, sizeof l->path, "%s", path);
    strbuf_init(&l->partial);
    l->norms = xcalloc(RUNLOG_NORMS, sizeof *l->norms);
    l->gates = xcalloc(RUNLOG_NORMS, sizeof *l->gates);
    l->scratch = xmalloc(sizeof *l->scratch);
    l->buf = xmalloc(RUNLOG_CHUNK);
    l->ngram_loss = NAN;
}

void runlog_free(RunLog *l)
{
    strbuf_free(&l->partial);
    free(l->pts);
    free(l->norms);
    free(l->gates);
    free(l->evals);
    free(l->events);
    free(l->scratch);
    free(l->buf);
    memset(l, 0, sizeof *l);
}

void runlog_clear(RunLog *l)
{
    l->seen = 0;
    l->off = 0;
    strbuf_reset(&l->partial);
    l->skipping = 0;
    l->line_no = 0;
    l->n_pts = l->n_evals = l->n_events = 0;
    l->norms_from = 0;
    l->have_last = 0;
    l->have_start = 0;
    l->n_starts = 0;
    l->n_tensors = l->n_layers = l->n_gates = 0;
    l->ngram_order = 0;
    l->ngram_loss = NAN;
    l->malformed = 0;
    l->control_events = 0;
    l->revision++;
}

/* ---- notes -------------------------------------------------------------------- */

static void runlog_note(RunLog *l, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void runlog_note(RunLog *l, int kind, const char *fmt, ...)
{
    if (!l->note)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l->note(l->note_ctx, kind, msg);
}

static void runlog_skip(RunLog *l, const char *why)
{
    l->malformed++;
    if (l->malformed < RUNLOG_NOTES_MAX)
        runlog_note(l, RUNLOG_NOTE_SKIPPED, "%s line %ld: skipped, %s", l->path, l->line_no, why);
    else if (l->malformed == RUNLOG_NOTES_MAX)
        runlog_note(l, RUNLOG_NOTE_SKIPPED, "%s line %ld: skipped, %s; further malformed lines are skipped "
                    "without a message", l->path, l->line_no, why);
}

/* ---- JSON fields ----------------------------------------------------------------- */

/* A number, or null (NAN: the writer's non-finite values); 0 when absent or another type. */
static int j_real(const JsonValue *o, const char *key, double *out)
{
    const JsonValue *v = json_get(o, key);
    if (v && v->type == JSON_NUMBER) {
        *out = v->number;
        return 1;
    }
    if (v && v->type == JSON_NULL) {
        *out = NAN;
        return 1;
    }
    return 0;
}

static float j_float(const JsonValue *o, const char *key, float dflt)
{
    double x;
    return j_real(o, key, &x) ? (float)x : dflt;
}

/* A whole number in [lo, hi]. */
static int j_long(const JsonValue *o, const char *key, long lo, long hi, long *out)
{
    const JsonValue *v = json_get(o, key);
    if (!v || v->type != JSON_NUMBER || !v->integer || !(v->number >= (double)lo && v->number <= (double)hi))
        return 0;
    *out = (long)v->number;
    return 1;
}

static const char *j_str(const JsonValue *o, const char *key)
{
    const JsonValue *v = json_get(o, key);
    return v && v->type == JSON_STRING ? v->string : NULL;
}

static void j_copy(const JsonValue *o, const char *key, char *out, size_t cap)
{
    const char *s = j_str(o, key);
    snprintf(out, cap, "%s", s && strlen(s) < cap ? s : "");
}

static float j_item(const JsonValue *v)
{
    return v->type == JSON_NUMBER ? (float)v->number : NAN;
}

/* An array of rows (rows x cols, each row an array) into out[r * stride + c];
 * returns the rows read, *cols the first row's length (every row is cut to
 * max_cols). */
static int j_rows(const JsonValue *o, const char *key, float *out, int max_rows, int max_cols, int stride, int *cols)
{
    const JsonValue *a = json_get(o, key);
    *cols = 0;
    if (!a || a->type != JSON_ARRAY)
        return 0;
    int rows = 0;
    for (size_t r = 0; r < a->count && rows < max_rows; r++) {
        const JsonValue *row = &a->items[r];
        if (row->type != JSON_ARRAY)
            return rows;
        int n = row->count < (size_t)max_cols ? (int)row->count : max_cols;
        if (r == 0)
            *cols = n;
        for (int c = 0; c < n && c < *cols; c++)
            out[(size_t)rows * stride + c] = j_item(&row->items[c]);
        rows++;
    }
    return rows;
}

/* ---- finding records --------------------------------------------------------------- */

/* Finding.numbers[].key is a static name: a logged key is kept in this
 * process-wide table (the catalogue has a few dozen keys; past the table's
 * end a number is dropped). */
#define RUNLOG_KEYS 256
static char runlog_keys[RUNLOG_KEYS][32];
static int runlog_n_keys;
static pthread_mutex_t runlog_keys_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *runlog_intern(const char *key)
{
    const char *found = NULL;
    if (strlen(key) >= sizeof runlog_keys[0])
        return NULL;
    pthread_mutex_lock(&runlog_keys_mu);
    for (int i = 0; i < runlog_n_keys && !found; i++)
        if (!strcmp(runlog_keys[i], key))
            found = runlog_keys[i];
    if (!found && runlog_n_keys < RUNLOG_KEYS) {
        snprintf(runlog_keys[runlog_n_keys], sizeof runlog_keys[0], "%s", key);
        found = runlog_keys[runlog_n_keys++];
    }
    pthread_mutex_unlock(&runlog_keys_mu);
    return found;
}

static int runlog_severity(const char *name, Severity *out)
{
    for (int s = SEV_NOTE; s <= SEV_PROBLEM; s++)
        if (name && !strcmp(name, findings_severity_name((Severity)s))) {
            *out = (Severity)s;
            return 1;
        }
    return 0;
}

/* findings_json.h's record into *f; 0 if it is not one. */
static int runlog_record(const JsonValue *o, Finding *f)
{
    memset(f, 0, sizeof *f);
    const char *id = j_str(o, "id"), *cause = j_str(o, "cause");
    f->id = id ? findings_id_from_name(id) : FD_NONE;
    if (f->id == FD_NONE || !runlog_severity(j_str(o, "severity"), &f->severity))
        return 0;
    f->cause = cause ? findings_id_from_name(cause) : FD_NONE;
    j_copy(o, "subject", f->subject, sizeof f->subject);
    long since = 0;
    j_long(o, "since", 0, 1000000000000000L, &since);
    f->since = since;
    const char *text = j_str(o, "text"), *advice = j_str(o, "advice");
    snprintf(f->text, sizeof f->text, "%s", text ? text : "");
    snprintf(f->advice, sizeof f->advice, "%s", advice ? advice : "");
    const JsonValue *nums = json_get(o, "numbers");
    for (size_t i = 0; nums && nums->type == JSON_OBJECT && i < nums->count && f->n_numbers < FINDING_MAX_NUMBERS; i++) {
        const char *key = runlog_intern(nums->keys[i]);
        if (!key)
            continue;
        f->numbers[f->n_numbers].key = key;
        f->numbers[f->n_numbers++].value = nums->items[i].type == JSON_NUMBER ? nums->items[i].number : NAN;
    }
    return 1;
}

/* ---- the record --------------------------------------------------------------------- */

/* Drop what the log holds at step `from` and later: a later session wins from its first step on. */
static void runlog_drop_from(RunLog *l, long from)
{
    int dropped = 0;
    size_t k = runlog_points_after(l, from - 1);
    if (k < l->n_pts) {
        l->n_pts = k;
        if (l->norms_from > k)
            l->norms_from = k;
        dropped = 1;
    }
    while (l->n_evals > 0 && l->evals[l->n_evals - 1].step >= from) {
        l->n_evals--;
        dropped = 1;
    }
    while (l->n_events > 0 && l->events[l->n_events - 1].e.step >= from) {
        l->n_events--;
        dropped = 1;
    }
    if (l->have_last && l->last.step >= from) {
        l->have_last = 0;
        dropped = 1;
    }
    if (dropped)
        l->revision++;
}

static void runlog_start_line(RunLog *l, const JsonValue *o)
{
    RunLogStart *s = &l->start;
    memset(s, 0, sizeof *s);
    long step = 1;
    j_long(o, "step", 0, 1000000000000000L, &step);
    s->step = step;
    j_copy(o, "run", s->run_id, sizeof s->run_id);
    j_copy(o, "save", s->save, sizeof s->save);
    j_copy(o, "control", s->control, sizeof s->control);
    j_copy(o, "host", s->host, sizeof s->host);
    j_copy(o, "corpus", s->corpus, sizeof s->corpus);
    long v;
    if (j_long(o, "ranks", 1, 1000000, &v))
        s->ranks = (int)v;
    if (j_long(o, "pid", 1, 0x7fffffffL, &v))
        s->pid = v;
    long layers, hidden, embed, vocab;
    const char *cell = j_str(o, "cell");
    CellType ct;
    s->have_model = cell && cell_parse(cell, &ct) == 0 && j_long(o, "layers", 1, MODEL_MAX_LAYERS, &layers) &&
                    j_long(o, "hidden", 1, MODEL_MAX_WIDTH, &hidden) && j_long(o, "embed", 1, MODEL_MAX_WIDTH, &embed) &&
                    j_long(o, "vocab", 1, MODEL_MAX_VOCAB, &vocab);
    if (s->have_model)
        s->model = (ModelConfig){ct, (int)layers, (int)hidden, (int)embed, (int)vocab, 0.0f};
    const char *tok = j_str(o, "tokenizer");
    s->have_tokenizer = tok && tok_parse(tok, &s->tokenizer) == 0;
    const JsonValue *names = json_get(o, "tensors");
    for (size_t i = 0; names && names->type == JSON_ARRAY && i < names->count && s->n_tensors < STEP_MAX_TENSORS; i++)
        if (names->items[i].type == JSON_STRING)
            snprintf(s->tensors[s->n_tensors++], sizeof s->tensors[0], "%.47s", names->items[i].string);
    l->have_start = 1;
    l->n_starts++;
    runlog_drop_from(l, s->step);
    char who[300] = "";
    if (s->pid && s->host[0])
        snprintf(who, sizeof who, " (pid %ld on %s)", s->pid, s->host);
    runlog_note(l, RUNLOG_NOTE_SESSION, "a session of the run starts at step %ld%s", s->step, who);
}

/* A step line into *s (zeroed first); 0 with why when it is not one. */
static int runlog_step_info(RunLog *l, const JsonValue *o, StepInfo *s, char *why, size_t cap)
{
    memset(s, 0, sizeof *s);
    long step;
    double loss;
    if (!j_long(o, "step", 1, 1000000000000000L, &step) || !j_real(o, "loss", &loss)) {
        snprintf(why, cap, "a step line needs a whole \"step\" above 0 and a \"loss\"");
        return 0;
    }
    s->step = step;
    s->loss = (float)loss;
    double epoch = 0;
    j_real(o, "epoch", &epoch);
    s->epoch = isfinite(epoch) ? epoch : 0;
    s->lr = j_float(o, "lr", NAN);
    s->grad_norm = j_float(o, "grad_norm", NAN);
    const JsonValue *c = json_get(o, "clipped");
    s->clipped = c && c->type == JSON_BOOL && c->boolean;
    long clamped = 0;
    j_long(o, "clamped", 0, 0x7fffffffffffffffL, &clamped);
    s->n_clamped = clamped;
    s->tokens_per_s = j_float(o, "tokens_per_s", 0);
    s->ms = j_float(o, "ms", 0);
    s->val_loss = NAN;
    const JsonValue *gn = json_get(o, "grad_norms"), *ur = json_get(o, "update_ratios");
    if (gn && gn->type == JSON_OBJECT) {
        int n = gn->count < STEP_MAX_TENSORS ? (int)gn->count : STEP_MAX_TENSORS;
        for (int i = 0; i < n; i++) {
            s->grad_norms[i] = j_item(&gn->items[i]);
            snprintf(l->tensor_names[i], sizeof l->tensor_names[i], "%.47s", gn->keys[i]);
        }
        s->n_tensors = n;
    }
    if (ur && ur->type == JSON_OBJECT)
        for (int i = 0; i < s->n_tensors && (size_t)i < ur->count; i++)
            s->update_ratio[i] = j_item(&ur->items[i]);
    int cols = 0;
    s->n_layers = j_rows(o, "gate_grad_norms", &s->gate_grad_norms[0][0], TRAIN_MAX_LAYERS, 4, 4, &cols);
    s->n_gates = cols;
    if (s->n_layers == 0 && s->n_tensors >= 7)
        s->n_layers = (s->n_tensors - 3) / 4;
    s->clip = j_float(o, "clip", 0);
    j_rows(o, "gate_saturation", &s->gate_sat[0][0], TRAIN_MAX_LAYERS, 4, 4, &cols);
    float mean[TRAIN_MAX_LAYERS] = {0};
    if (j_rows(o, "gate_mean", mean, 1, TRAIN_MAX_LAYERS, TRAIN_MAX_LAYERS, &cols) == 1)
        memcpy(s->gate_mean, mean, sizeof mean);
    s->gate_step = step;
    long stride = 1;
    j_long(o, "flow_stride", 1, 1000000, &stride);
    s->flow_stride = (int)stride;
    const JsonValue *flow = json_get(o, "flow");
    if (flow && flow->type == JSON_ARRAY && flow->count > 0 && flow->items[0].type == JSON_ARRAY) {
        int L = (int)flow->count, len = (int)flow->items[0].count;
        if (L <= TRAIN_MAX_LAYERS && len > 0 && (size_t)L * len <= DIAG_FLOW_CELLS) {
            j_rows(o, "flow", s->flow, L, len, len, &cols);
            s->flow_len = len;
        }
    }
    long dstep = 0;
    if (j_long(o, "decay_step", 1, step, &dstep) && s->flow_len > 0) {
        const JsonValue *d = json_get(o, "decay");
        if (d && d->type == JSON_ARRAY && d->count > 0 && d->items[0].type == JSON_ARRAY &&
            (int)d->items[0].count == s->flow_len) {
            s->decay_step = dstep;
            j_rows(o, "decay", s->decay, TRAIN_MAX_LAYERS, s->flow_len, s->flow_len, &cols);
        }
    }
    return 1;
}

static void runlog_step_line(RunLog *l, const JsonValue *o)
{
    StepInfo *sp = l->scratch; /* large: not on the stack */
    char why[160];
    if (!runlog_step_info(l, o, sp, why, sizeof why)) {
        runlog_skip(l, why);
        return;
    }
    if (l->n_pts > 0 && sp->step <= l->pts[l->n_pts - 1].step)
        runlog_drop_from(l, sp->step); /* an older rnnscope's resumed session: no start record */
    if (l->n_pts == l->cap_pts) {
        l->cap_pts = l->cap_pts ? 2 * l->cap_pts : 1024;
        l->pts = xrealloc(l->pts, l->cap_pts * sizeof *l->pts);
    }
    size_t i = l->n_pts++;
    l->pts[i] = (RunLogPoint){sp->step, sp->epoch, sp->loss, sp->lr, sp->grad_norm, (float)sp->ms, (float)sp->tokens_per_s,
                              sp->clipped};
    memcpy(l->norms[i % RUNLOG_NORMS], sp->grad_norms, sizeof l->norms[0]);
    memcpy(l->gates[i % RUNLOG_NORMS], sp->gate_grad_norms, sizeof l->gates[0]);
    if (i - l->norms_from >= RUNLOG_NORMS)
        l->norms_from = i - RUNLOG_NORMS + 1;
    l->n_tensors = sp->n_tensors;
    l->n_layers = sp->n_layers;
    l->n_gates = sp->n_gates;
    l->last = *sp;
    l->have_last = 1;
}

static void runlog_eval_line(RunLog *l, const JsonValue *o)
{
    long step;
    double v;
    if (!j_long(o, "step", 0, 1000000000000000L, &step) || !j_real(o, "val_loss", &v)) {
        runlog_skip(l, "an evaluation line needs a whole \"step\" and a \"val_loss\"");
        return;
    }
    if (l->n_evals > 0 && step < l->evals[l->n_evals - 1].step) {
        while (l->n_evals > 0 && l->evals[l->n_evals - 1].step >= step)
            l->n_evals--;
        l->revision++;
    }
    if (l->n_evals == l->cap_evals) {
        l->cap_evals = l->cap_evals ? 2 * l->cap_evals : 64;
        l->evals = xrealloc(l->evals, l->cap_evals * sizeof *l->evals);
    }
    l->evals[l->n_evals++] = (RunLogEval){step, (float)v};
}

static void runlog_finding_line(RunLog *l, const JsonValue *o)
{
    const char *name = j_str(o, "finding"), *ev = j_str(o, "event");
    FindingId id = name ? findings_id_from_name(name) : FD_NONE;
    long step;
    Severity sev = SEV_NOTE;
    if (id == FD_NONE || !ev || (strcmp(ev, "appeared") && strcmp(ev, "cleared")) ||
        !j_long(o, "step", 0, 1000000000000000L, &step)) {
        runlog_skip(l, "a finding event needs a known \"finding\", \"event\" appeared or cleared, and a \"step\"");
        return;
    }
    runlog_severity(j_str(o, "severity"), &sev);
    if (l->n_events > 0 && step < l->events[l->n_events - 1].e.step) {
        while (l->n_events > 0 && l->events[l->n_events - 1].e.step >= step)
            l->n_events--;
        l->revision++;
    }
    if (l->n_events == l->cap_events) {
        l->cap_events = l->cap_events ? 2 * l->cap_events : 32;
        l->events = xrealloc(l->events, l->cap_events * sizeof *l->events);
    }
    RunLogEvent *e = &l->events[l->n_events++];
    memset(e, 0, sizeof *e);
    e->e = (FindingEvent){step, (short)id, (char)!strcmp(ev, "appeared"), (char)sev};
    const JsonValue *rec = json_get(o, "record");
    if (e->e.appeared && rec && rec->type == JSON_OBJECT && runlog_record(rec, &e->record) && e->record.id == id)
        e->have_record = 1;
}

static void runlog_line(RunLog *l, const char *line, size_t len)
{
    l->line_no++;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0)
        return;
    JsonValue o;
    Err jerr;
    size_t at = 0;
    if (json_parse(line, len, &o, &at, &jerr) != 0) {
        char why[600];
        snprintf(why, sizeof why, "not JSON (%.400s at byte %zu)", jerr.msg, at);
        runlog_skip(l, why);
        json_free(&o);
        return;
    }
    const char *ev = j_str(&o, "event");
    if (o.type != JSON_OBJECT)
        runlog_skip(l, "not a JSON object");
    else if (json_get(&o, "finding"))
        runlog_finding_line(l, &o);
    else if (ev && !strcmp(ev, "start"))
        runlog_start_line(l, &o);
    else if (ev && !strcmp(ev, "control")) {
        l->control_events++;
        const char *cmd = j_str(&o, "command");
        long step = 0;
        double value;
        char arg[48] = "";
        j_long(&o, "step", 0, 1000000000000000L, &step);
        if (j_real(&o, "value", &value))
            snprintf(arg, sizeof arg, " %g", value);
        runlog_note(l, RUNLOG_NOTE_CONTROL, "after step %ld the run took :%.100s%s from its control socket", step,
                    cmd ? cmd : "?", arg);
    } else if (ev)
        ; /* a newer writer's event: not ours to read */
    else if (json_get(&o, "val_loss"))
        runlog_eval_line(l, &o);
    else if (json_get(&o, "ngram_order")) {
        long order;
        double v;
        if (j_long(&o, "ngram_order", 1, 100, &order) && j_real(&o, "ngram_val_loss", &v)) {
            l->ngram_order = (int)order;
            l->ngram_loss = v;
        } else {
            runlog_skip(l, "an n-gram line needs a whole \"ngram_order\" and an \"ngram_val_loss\"");
        }
    } else if (json_get(&o, "loss"))
        runlog_step_line(l, &o);
    else
        runlog_skip(l, "an object of no known kind (not a step, evaluation, finding or start line)");
    json_free(&o);
}

long runlog_feed(RunLog *l, const char *data, size_t n)
{
    long lines = 0;
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (!l->skipping) {
            if (l->partial.len + take > RUNLOG_LINE_MAX) {
                l->skipping = 1; /* an endless line must not take the memory: skip to its newline */
                strbuf_reset(&l->partial);
            } else {
                strbuf_append(&l->partial, data, take);
            }
        }
        if (!nl)
            break;
        if (l->skipping) {
            l->line_no++;
            runlog_skip(l, "longer than 16 MB");
            l->skipping = 0;
        } else {
            runlog_line(l, l->partial.data ? l->partial.data : "", l->partial.len);
        }
        strbuf_reset(&l->partial);
        lines++;
        data += take + 1;
        n -= take + 1;
    }
    return lines;
}

int runlog_poll(RunLog *l, RunLogPoll *out, Err *err)
{
    memset(out, 0, sizeof *out);
    int fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return err_set(err, ERR_INPUT, "%s: cannot read the log: %s", l->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        return err_set(err, ERR_INPUT, "%s: %s", l->path, S_ISREG(st.st_mode) ? strerror(e) : "not a regular file");
    }
    if (l->seen && (st.st_dev != l->dev || st.st_ino != l->ino || st.st_size < l->off)) {
        runlog_clear(l); /* replaced or truncated: read it again from its start */
        out->reset = 1;
    }
    l->seen = 1;
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    size_t budget = RUNLOG_READ_MAX;
    while (budget > 0) {
        ssize_t got = pread(fd, l->buf, RUNLOG_CHUNK < budget ? RUNLOG_CHUNK : budget, l->off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            return err_set(err, ERR_INPUT, "%s: cannot read the log: %s", l->path, strerror(e));
        }
        if (got == 0)
            break;
        l->off += got;
        budget -= (size_t)got;
        out->lines += runlog_feed(l, l->buf, (size_t)got);
    }
    out->more = budget == 0;
    close(fd);
    return 0;
}

/* ---- reading the record ------------------------------------------------------------ */

size_t runlog_points_after(const RunLog *l, long step)
{
    size_t lo = 0, hi = l->n_pts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->pts[mid].step <= step)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void runlog_point_info(const RunLog *l, size_t i, StepInfo *s)
{
    memset(s, 0, sizeof *s);
    const RunLogPoint *p = &l->pts[i];
    s->step = p->step;
    s->epoch = p->epoch;
    s->loss = p->loss;
    s->lr = p->lr;
    s->grad_norm = p->grad_norm;
    s->clipped = p->clipped;
    s->ms = p->ms;
    s->tokens_per_s = p->tokens_per_s;
    s->n_tensors = l->n_tensors;
    s->n_layers = l->n_layers;
    s->n_gates = l->n_gates;
    s->val_loss = NAN;
    if (i >= l->norms_from) {
        memcpy(s->grad_norms, l->norms[i % RUNLOG_NORMS], sizeof s->grad_norms);
        memcpy(s->gate_grad_norms, l->gates[i % RUNLOG_NORMS], sizeof s->gate_grad_norms);
    }
}

void runlog_push_points(const RunLog *l, size_t from, long after, History *h)
{
    StepInfo *s = xmalloc(sizeof *s);
    size_t first = runlog_points_after(l, after);
    for (size_t i = first > from ? first : from; i < l->n_pts; i++) {
        runlog_point_info(l, i, s);
        history_push(h, s);
        /* the steps --log-every left out count as this one: the clip count is of the run's steps */
        long prev = i > 0 && l->pts[i - 1].step > after ? l->pts[i - 1].step : after;
        long gap = s->step - prev;
        if (gap > 1) {
            h->n_steps += gap - 1;
            h->clip_count += s->clipped ? gap - 1 : 0;
        }
    }
    free(s);
}

void runlog_push_history(const RunLog *l, long after, History *h)
{
    runlog_push_points(l, 0, after, h);
    for (size_t i = 0; i < l->n_evals; i++)
        if (l->evals[i].step > after)
            history_push_val(h, l->evals[i].step, l->evals[i].val_loss);
}

void runlog_apply_findings(const RunLog *l, long after, Findings *f, Finding rec[FD_COUNT], int have[FD_COUNT])
{
    for (int i = 0; i < FD_COUNT; i++)
        have[i] = 0;
    for (size_t i = 0; i < l->n_events; i++) {
        const RunLogEvent *e = &l->events[i];
        if (e->e.step <= after || e->e.id < 0 || e->e.id >= FD_COUNT)
            continue;
        FindingState *st = &f->st[e->e.id];
        st->active = e->e.appeared;
        st->hold = st->miss = 0;
        if (e->e.appeared) {
            st->since = e->have_record && e->record.since > 0 ? e->record.since : e->e.step;
            st->severity = e->have_record ? e->record.severity : (Severity)e->e.severity;
            st->cause = e->have_record ? e->record.cause : FD_NONE;
        }
        f->events[f->n_events % FINDINGS_EVENTS] = e->e;
        f->n_events++;
        if (e->e.step > f->last_step)
            f->last_step = e->e.step;
    }
    long last = runlog_last_step(l);
    if (last > f->last_step)
        f->last_step = last;
    /* each active finding's words: its latest logged appearance, also one before `after` (f's own
     * description of it knows only f's numbers) */
    for (size_t i = l->n_events; i-- > 0;) {
        const RunLogEvent *e = &l->events[i];
        int id = e->e.id;
        if (id < 0 || id >= FD_COUNT || have[id] < 0 || have[id] == 1)
            continue;
        if (e->e.appeared && e->have_record && f->st[id].active && f->st[id].since == e->record.since) {
            rec[id] = e->record;
            have[id] = 1;
        } else {
            have[id] = -1; /* its latest event is not a logged description of what is active */
        }
    }
    for (int i = 0; i < FD_COUNT; i++)
        have[i] = have[i] == 1;
}

long runlog_last_step(const RunLog *l)
{
    return l->n_pts ? l->pts[l->n_pts - 1].step : 0;
}

void runlog_time(const RunLog *l, double *seconds, long *steps)
{
    double s = 0;
    long n = 0;
    for (size_t i = 0; i < l->n_pts; i++) {
        long gap = i ? l->pts[i].step - l->pts[i - 1].step : 1;
        if (i == 0 && l->n_pts > 1) {
            long next = l->pts[1].step - l->pts[0].step;
            gap = next < l->pts[0].step ? next : l->pts[0].step;
        }
        s += (double)l->pts[i].ms * 1e-3 * (double)gap;
        n += gap;
    }
    *seconds = s;
    *steps = n;
}
