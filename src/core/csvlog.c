/* csvlog.c — one CSV row per step (see csvlog.h). */
#include "csvlog.h"

#include "paths.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int csvlog_open(CsvLog *l, const char *path, Err *err)
{
    memset(l, 0, sizeof *l);
    l->ngram_loss = NAN;
    snprintf(l->path, sizeof l->path, "%s", path);
    int rc = paths_make_parent(path, err);
    if (rc)
        return rc;
    l->f = fopen(path, "w");
    if (!l->f)
        return err_set(err, ERR_INPUT, "--csv %s: %s", path, strerror(errno));
    return 0;
}

void csvlog_close(CsvLog *l)
{
    if (l->f)
        fclose(l->f);
    l->f = NULL;
}

static void csv_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, ",%.9g", x);
    else if (isnan(x))
        fputs(",", f);
    else
        fputs(x > 0 ? ",inf" : ",-inf", f);
}

static void csv_header(CsvLog *l, const StepInfo *s, const Model *m)
{
    static const char *const gates[3] = {"ifgo", "rzn", "h"};
    FILE *f = l->f;
    fputs("step,epoch,loss,lr,grad_norm,clipped,tokens_per_s,ms,val_loss,ngram_loss", f);
    for (int i = 0; i < s->n_tensors; i++)
        fprintf(f, ",grad_norm:%s", m->tensors[i].name);
    for (int i = 0; i < s->n_tensors; i++)
        fprintf(f, ",update_ratio:%s", m->tensors[i].name);
    for (int k = 0; k < s->n_layers; k++) {
        fprintf(f, ",flow_first_%d,flow_last_%d,decay_ratio_%d", k, k, k);
        for (int g = 0; g < s->n_gates; g++)
            fprintf(f, ",sat_%d_%c", k, gates[m->cfg.cell][g]);
        fprintf(f, ",gate_mean_%d", k);
    }
    fputs("\n", f);
    l->wrote_header = 1;
}

void csvlog_step(CsvLog *l, const StepInfo *s, const Model *m)
{
    if (!l->f)
        return;
    if (!l->wrote_header)
        csv_header(l, s, m);
    FILE *f = l->f;
    fprintf(f, "%ld", s->step);
    csv_num(f, s->epoch);
    csv_num(f, s->loss);
    csv_num(f, s->lr);
    csv_num(f, s->grad_norm);
    fprintf(f, ",%d", s->clipped);
    csv_num(f, s->tokens_per_s);
    csv_num(f, s->ms);
    csv_num(f, s->evaluated ? s->val_loss : NAN);
    csv_num(f, l->ngram_loss);
    for (int i = 0; i < s->n_tensors; i++)
        csv_num(f, s->grad_norms[i]);
    for (int i = 0; i < s->n_tensors; i++)
        csv_num(f, s->update_ratio[i]);
    for (int k = 0; k < s->n_layers; k++) {
        const float *fl = s->flow + (size_t)k * s->flow_len, *d = s->decay + (size_t)k * s->flow_len;
        csv_num(f, s->flow_len ? fl[0] : NAN);
        csv_num(f, s->flow_len ? fl[s->flow_len - 1] : NAN);
        csv_num(f, s->decay_step > 0 && d[s->flow_len - 1] > 0 ? d[0] / d[s->flow_len - 1] : NAN);
        for (int g = 0; g < s->n_gates; g++)
            csv_num(f, s->gate_sat[k][g]);
        csv_num(f, s->gate_mean[k]);
    }
    fputs("\n", f);
    fflush(f);
}

int csvlog_check(const CsvLog *l, Err *err)
{
    if (l->f && ferror(l->f))
        return err_set(err, ERR_RUNTIME, "--csv %s: cannot write (is the disk full?)", l->path);
    return 0;
}
