/* csvlog.h — metrics and diagnostics of every step as CSV rows.
 *
 * One header line, then one row per step: step, epoch, loss, lr, grad_norm,
 * clipped, tokens_per_s, ms, val_loss (empty unless evaluated), ngram_loss
 * (the baseline, constant; empty if none), then per tensor grad_norm:NAME and
 * update_ratio:NAME, then per layer K: flow_first_K and flow_last_K (the whole
 * gradient at the window's first and last position), decay_ratio_K (the
 * decay probe's first over last), sat_K_G for each gate G, and gate_mean_K.
 * Rows are flushed as written. Not here: JSON (steplog.c), TensorBoard.
 */
#ifndef RNNSCOPE_CSVLOG_H
#define RNNSCOPE_CSVLOG_H

#include <stdio.h>

#include "err.h"
#include "model.h"
#include "trainer.h"

typedef struct {
    FILE *f;
    char path[1024];
    int wrote_header;
    double ngram_loss;   /* NAN if none */
} CsvLog;

/* Creates (truncates) path. */
int csvlog_open(CsvLog *l, const char *path, Err *err);
void csvlog_close(CsvLog *l);
void csvlog_step(CsvLog *l, const StepInfo *s, const Model *m);
/* ERR_RUNTIME naming the file if a row could not be written (a full disk). */
int csvlog_check(const CsvLog *l, Err *err);

#endif
