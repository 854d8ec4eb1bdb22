/* steplog.c — JSON lines of steps and evaluations (see steplog.h). */
#include "steplog.h"

#include "control.h"
#include "findings_json.h"
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int steplog_open(StepLog *l, const char *path, Err *err)
{
    l->f = NULL;
    l->every = STEPLOG_EVERY_DEFAULT;
    l->path = path;
    l->write_errno = 0;
    l->last_step = 0;
    strbuf_init(&l->line);
    int rc = paths_make_parent(path, err);
    if (rc)
        return rc;
    l->f = fopen(path, "a");
    if (!l->f)
        return err_set(err, ERR_INPUT, "--log %s: %s", path, strerror(errno));
    return 0;
}

void steplog_close(StepLog *l)
{
    if (l->f)
        fclose(l->f);
    strbuf_free(&l->line);
    l->f = NULL;
}

/* JSON has no NaN or Infinity: write null for them. */
static void append_number(StrBuf *b, double x)
{
    if (isfinite(x))
        strbuf_appendf(b, "%.9g", x); /* 9 significant digits: every float32 reads back exactly */
    else
        strbuf_append_str(b, "null");
}

static void flush_line(StepLog *l)
{
    strbuf_append_str(&l->line, "}\n");
    errno = 0;
    if ((fwrite(l->line.data, 1, l->line.len, l->f) != l->line.len || fflush(l->f) != 0) && !l->write_errno)
        l->write_errno = errno ? errno : EIO;
    strbuf_reset(&l->line);
}

int steplog_check(const StepLog *l, Err *err)
{
    if (l->f && l->write_errno)
        return err_set(err, ERR_RUNTIME, "--log %s: cannot write: %s", l->path, strerror(l->write_errno));
    return 0;
}

static void append_rows(StrBuf *b, const char *key, const float *x, int rows, int cols, int stride)
{
    strbuf_appendf(b, ",\"%s\":[", key);
    for (int r = 0; r < rows; r++) {
        strbuf_append_str(b, r ? ",[" : "[");
        for (int c = 0; c < cols; c++) {
            if (c)
                strbuf_append_str(b, ",");
            append_number(b, x[(size_t)r * stride + c]);
        }
        strbuf_append_str(b, "]");
    }
    strbuf_append_str(b, "]");
}

/* The gradient inspector's numbers: gate saturation and means, the gradient
 * flow (L, flow_len) and the last decay probe with its first/last ratio. */
static void steplog_inspector(StrBuf *b, const StepInfo *s)
{
    strbuf_appendf(b, ",\"clip\":");
    append_number(b, s->clip);
    append_rows(b, "gate_saturation", &s->gate_sat[0][0], s->n_layers, s->n_gates, 4);
    append_rows(b, "gate_mean", s->gate_mean, 1, s->n_layers, 0);
    strbuf_appendf(b, ",\"flow_stride\":%d", s->flow_stride);
    append_rows(b, "flow", s->flow, s->n_layers, s->flow_len, s->flow_len);
    if (s->decay_step > 0) {
        strbuf_appendf(b, ",\"decay_step\":%ld", s->decay_step);
        append_rows(b, "decay", s->decay, s->n_layers, s->flow_len, s->flow_len);
        strbuf_append_str(b, ",\"decay_ratio\":[");
        for (int k = 0; k < s->n_layers; k++) {
            const float *d = s->decay + (size_t)k * s->flow_len;
            if (k)
                strbuf_append_str(b, ",");
            append_number(b, s->flow_len > 0 && d[s->flow_len - 1] > 0 ? d[0] / d[s->flow_len - 1] : NAN);
        }
        strbuf_append_str(b, "]");
    }
}

void steplog_step(StepLog *l, const StepInfo *s, const Model *m)
{
    if (!l->f)
        return;
    StrBuf *b = &l->line;
    strbuf_appendf(b, "{\"step\":%ld,\"epoch\":", s->step);
    append_number(b, s->epoch);
    strbuf_append_str(b, ",\"loss\":");
    append_number(b, s->loss);
    strbuf_append_str(b, ",\"lr\":");
    append_number(b, s->lr);
    strbuf_append_str(b, ",\"grad_norm\":");
    append_number(b, s->grad_norm);
    strbuf_appendf(b, ",\"clipped\":%s,\"clamped\":%ld,\"tokens_per_s\":", s->clipped ? "true" : "false",
                   s->n_clamped);
    append_number(b, s->tokens_per_s);
    strbuf_append_str(b, ",\"ms\":");
    append_number(b, s->ms);
    if (s->allreduce_ms > 0) {
        strbuf_append_str(b, ",\"allreduce_ms\":");
        append_number(b, s->allreduce_ms);
    }
    strbuf_append_str(b, ",\"grad_norms\":{");
    for (int i = 0; i < s->n_tensors; i++) {
        if (i)
            strbuf_append_str(b, ",");
        strbuf_append_json_string(b, m->tensors[i].name, strlen(m->tensors[i].name));
        strbuf_append_str(b, ":");
        append_number(b, s->grad_norms[i]);
    }
    strbuf_append_str(b, "},\"update_ratios\":{");
    for (int i = 0; i < s->n_tensors; i++) {
        if (i)
            strbuf_append_str(b, ",");
        strbuf_append_json_string(b, m->tensors[i].name, strlen(m->tensors[i].name));
        strbuf_append_str(b, ":");
        append_number(b, s->update_ratio[i]);
    }
    strbuf_append_str(b, "},\"gate_grad_norms\":[");
    for (int k = 0; k < s->n_layers; k++) {
        strbuf_append_str(b, k ? ",[" : "[");
        for (int g = 0; g < s->n_gates; g++) {
            if (g)
                strbuf_append_str(b, ",");
            append_number(b, s->gate_grad_norms[k][g]);
        }
        strbuf_append_str(b, "]");
    }
    strbuf_append_str(b, "]");
    steplog_inspector(b, s);
    flush_line(l);
    l->last_step = s->step;
}

int steplog_step_due(const StepLog *l, const StepInfo *s, const Findings *f, int last)
{
    if (!l->f)
        return 0;
    return l->every <= 1 || s->step % l->every == 0 || s->evaluated || last || f->n_events > l->findings_seen;
}

void steplog_start_findings(StepLog *l, const Findings *f)
{
    l->findings_seen = f->n_events;
}

void steplog_findings(StepLog *l, const Findings *f)
{
    if (!l->f)
        return;
    strbuf_reset(&l->line);
    if (findings_append_new_events(&l->line, f, &l->findings_seen) == 0)
        return;
    errno = 0;
    if ((fwrite(l->line.data, 1, l->line.len, l->f) != l->line.len || fflush(l->f) != 0) && !l->write_errno)
        l->write_errno = errno ? errno : EIO;
    strbuf_reset(&l->line);
}

void steplog_eval(StepLog *l, long step, float val_loss)
{
    if (!l->f)
        return;
    strbuf_appendf(&l->line, "{\"step\":%ld,\"val_loss\":", step);
    append_number(&l->line, val_loss);
    flush_line(l);
}

void steplog_ngram(StepLog *l, int order, float val_loss)
{
    if (!l->f)
        return;
    strbuf_appendf(&l->line, "{\"ngram_order\":%d,\"ngram_smoothing\":\"interpolated-kneser-ney\","
                   "\"ngram_val_loss\":", order);
    append_number(&l->line, val_loss);
    flush_line(l);
}

/* ,"key":"absolute path" (as given when it cannot be made absolute) */
static void append_path(StrBuf *b, const char *key, const char *path)
{
    char abs[PATH_MAX];
    if (control_abs_path(path, abs, sizeof abs) != 0)
        snprintf(abs, sizeof abs, "%s", path);
    strbuf_appendf(b, ",\"%s\":", key);
    strbuf_append_json_string(b, abs, strlen(abs));
}

void steplog_start(StepLog *l, const Trainer *t, long first_step, const char *save_path, const char *control_path,
                   int ranks)
{
    if (!l->f)
        return;
    StrBuf *b = &l->line;
    const Model *m = &t->model;
    strbuf_append_str(b, "{\"event\":\"start\",\"run\":");
    strbuf_append_json_string(b, t->run_id, strlen(t->run_id));
    strbuf_appendf(b, ",\"step\":%ld", first_step);
    append_path(b, "save", save_path);
    if (control_path) {
        append_path(b, "control", control_path);
    } else {
        strbuf_append_str(b, ",\"control\":null");
    }
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    strbuf_appendf(b, ",\"ranks\":%d,\"pid\":%ld,\"host\":", ranks, (long)getpid());
    strbuf_append_json_string(b, host, strlen(host));
    strbuf_appendf(b, ",\"time\":%lld,\"cell\":\"%s\",\"layers\":%d,\"hidden\":%d,\"embed\":%d,\"vocab\":%d,"
                   "\"tokenizer\":\"%s\",\"tensors\":[", (long long)time(NULL), cell_name(m->cfg.cell), m->cfg.layers,
                   m->cfg.hidden, m->cfg.embed, m->cfg.vocab, tok_name(t->corpus.tok.type));
    for (int i = 0; i < m->n_tensors; i++) {
        if (i)
            strbuf_append_str(b, ",");
        strbuf_append_json_string(b, m->tensors[i].name, strlen(m->tensors[i].name));
    }
    strbuf_append_str(b, "]");
    append_path(b, "corpus", t->corpus.path && t->corpus.path[0] ? t->corpus.path : t->cfg.corpus);
    flush_line(l);
}

void steplog_control(StepLog *l, long step, const char *command, const double *value)
{
    if (!l->f)
        return;
    strbuf_append_str(&l->line, "{\"event\":\"control\",\"command\":");
    strbuf_append_json_string(&l->line, command, strlen(command));
    if (value) {
        strbuf_append_str(&l->line, ",\"value\":");
        append_number(&l->line, *value);
    }
    strbuf_appendf(&l->line, ",\"step\":%ld", step);
    flush_line(l);
}
