/* cmd_units_stats.c — `rnnscope units --saturation` and `--errors`: two
 * tables over a whole capture. Saturation: per layer and kind, how much of
 * the time units sit at the ends of their range (Karpathy, Johnson and
 * Fei-Fei 2015, figure 3). Errors: where the network's loss beats an n-gram
 * counted on the checkpoint's training split, by the context a position
 * needs (units_error_summary).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_units.h"
#include "corpus.h"
#include "ngram.h"

void cmd_units_saturation(const UnitsRun *r)
{
    const UnitCapture *u = &r->cap;
    const int H = u->cfg.hidden, n = u->n;
    char gates[32] = "", other[32] = "";
    for (int k = 0; k < u->kinds; k++) {
        char *list = units_kind_is_gate(u->cfg.cell, k) ? gates : other;
        size_t at = strlen(list);
        snprintf(list + at, sizeof gates - at, "%s%s", at ? " " : "", units_kind_name(u->cfg.cell, k));
    }
    printf("%d positions of %s; saturated: ", n, r->file);
    if (gates[0])
        printf("the gates %s below %g or above %g, ", gates, UNITS_SAT_SIGMOID, 1 - UNITS_SAT_SIGMOID);
    printf("%s beyond -+%g\n", other, UNITS_SAT_TANH);
    printf("layer  kind    left   right  mostly left  mostly right  (of %d units; mostly: over half the time)\n", H);
    for (int l = 0; l < u->cfg.layers; l++) {
        if (r->layer >= 0 && l != r->layer)
            continue;
        for (int k = 0; k < u->kinds; k++) {
            if (r->kind_given && k != r->kind)
                continue;
            size_t slot = ((size_t)l * u->kinds + k) * H;
            const int *lo = u->sat_lo + slot, *hi = u->sat_hi + slot;
            double fl = 0, fh = 0;
            int ml = 0, mh = 0;
            for (int j = 0; j < H; j++) {
                fl += (double)lo[j] / n;
                fh += (double)hi[j] / n;
                ml += lo[j] * 2 > n;
                mh += hi[j] * 2 > n;
            }
            char ln[16];
            cmd_units_layer_name(l, ln, sizeof ln);
            printf("%-5s  %-4s  %6.3f  %6.3f  %11d  %12d\n", ln, units_kind_name(u->cfg.cell, k), fl / H, fh / H, ml,
                   mh);
        }
    }
}

int cmd_units_errors(const UnitsRun *r, int order, const char *corpus, Err *err)
{
    Corpus c;
    int rc = corpus_load(&c, corpus, r->tok.type, 0, r->val_frac, &r->tok, err);
    if (rc)
        return rc;
    NGram *g = NULL;
    rc = ngram_build_ids(&g, &c.ids, 0, c.n_train, order, r->tok.vocab_size, err);
    size_t n_train = c.n_train;
    corpus_free(&c);
    if (rc)
        return rc;
    const UnitText *t = &r->text;
    double *ng = xmalloc((size_t)t->n * sizeof *ng);
    units_ngram_loss(g, t->ids, t->n, order, ng);
    ngram_free(g);
    UnitErrBucket b[UNITS_ERR_BUCKETS];
    units_error_summary(t, r->cap.loss, ng, order, b);
    free(ng);
    printf("%d positions of %s; the network against a %d-gram counted on the %zu training tokens of %s (the first "
           "%g%%)\n", t->n, r->file, order, n_train, corpus, 100.0 * (1 - (double)r->val_frac));
    printf("%-42s  %9s  %7s  %7s  %6s\n", "where the position is", "positions", "network", "n-gram", "share");
    for (int i = 0; i < UNITS_ERR_BUCKETS; i++)
        printf("%-42s  %9ld  %7.3f  %7.3f  %+6.2f\n", b[i].name, b[i].count, b[i].net, b[i].ngram, b[i].share);
    const UnitErrBucket *all = &b[UNITS_ERR_BUCKETS - 1];
    double d = all->ngram - all->net;
    printf("mean loss over %ld predicted positions: network %.4f, %d-gram %.4f nats/token; the network is %.4f %s\n",
           all->count, all->net, order, all->ngram, fabs(d), d >= 0 ? "lower" : "higher");
    return 0;
}
