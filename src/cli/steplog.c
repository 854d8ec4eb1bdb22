/* steplog.c — JSON lines of steps and evaluations (see steplog.h). */
#include "steplog.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int steplog_open(StepLog *l, const char *path, Err *err)
{
    l->f = fopen(path, "a");
    strbuf_init(&l->line);
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
        strbuf_appendf(b, "%.7g", x);
    else
        strbuf_append_str(b, "null");
}

static void flush_line(StepLog *l)
{
    strbuf_append_str(&l->line, "}\n");
    fwrite(l->line.data, 1, l->line.len, l->f);
    fflush(l->f);
    strbuf_reset(&l->line);
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
    flush_line(l);
}

void steplog_eval(StepLog *l, long step, float val_loss)
{
    if (!l->f)
        return;
    strbuf_appendf(&l->line, "{\"step\":%ld,\"val_loss\":", step);
    append_number(&l->line, val_loss);
    flush_line(l);
}
