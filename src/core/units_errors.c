/* units_errors.c — the network's per-position loss against an n-gram's: each
 * position's n-gram loss and a summary of where the difference comes from
 * (units.h). The buckets ask whether what a position needs lies within the
 * n-gram's window (the last order-1 tokens) or beyond it: the start of the
 * line, or a bracket or quote that is still open.
 */
#include "units.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void units_ngram_loss(const NGram *g, const int *ids, int n, int order, double *out)
{
    if (n > 0)
        out[0] = NAN;
    for (int t = 1; t < n; t++) {
        int ctx = t < order - 1 ? t : order - 1;
        double p = ngram_prob(g, ids + t - ctx, ctx, ids[t]);
        out[t] = p > 0 ? -log(p) : INFINITY;
    }
}

enum { UNITS_MAX_OPEN = 64 }; /* nesting tracked; deeper openers are not counted */

static int units_opener(char c)
{
    return c == '(' || c == '[' || c == '{';
}

static char units_closer_of(char c)
{
    return c == '(' ? ')' : c == '[' ? ']' : '}';
}

/* The stack index of the open double quote, or -1. */
static int units_open_quote(const char *open_ch, int depth)
{
    while (depth > 0 && open_ch[depth - 1] != '"')
        depth--;
    return depth - 1;
}

void units_error_summary(const UnitText *t, const double *net, const double *ngram, int order,
                         UnitErrBucket out[UNITS_ERR_BUCKETS])
{
    static const char *const names[UNITS_ERR_BUCKETS] = {
        "line start within the n-gram's window", "line start beyond it, nothing open",
        "bracket or quote opened within the window", "bracket or quote opened beyond it",
        "every position"};
    double diff[UNITS_ERR_BUCKETS] = {0};
    memset(out, 0, UNITS_ERR_BUCKETS * sizeof *out);
    static const char *const labels[UNITS_ERR_BUCKETS] = {"line start in window", "line start beyond",
                                                          "open ( [ { \" in window", "open ( [ { \" beyond",
                                                          "all"};
    for (int b = 0; b < UNITS_ERR_BUCKETS; b++) {
        out[b].name = names[b];
        out[b].label = labels[b];
    }
    /* the stack of open brackets (and one open double quote), by the token
     * index that opened them */
    char open_ch[UNITS_MAX_OPEN];
    int open_at[UNITS_MAX_OPEN], depth = 0;
    int line_at = 0; /* index of the first token of the current line */
    for (int i = 0; i < t->n; i++) {
        if (i > 0 && isfinite(net[i]) && isfinite(ngram[i])) {
            int b;
            if (depth > 0)
                b = i - open_at[0] < order ? 2 : 3; /* the oldest: is anything open out of reach? */
            else
                b = i - line_at < order - 1 ? 0 : 1; /* the newline before line_at is in the window */
            out[b].count++;
            out[b].net += net[i];
            out[b].ngram += ngram[i];
            diff[b] += ngram[i] - net[i];
            out[4].count++;
            out[4].net += net[i];
            out[4].ngram += ngram[i];
            diff[4] += ngram[i] - net[i];
        }
        /* this token's bytes update the structure the next token sees */
        for (size_t k = t->start[i]; k < t->end[i]; k++) {
            char c = t->text[k];
            int q = c == '"' ? units_open_quote(open_ch, depth) : -1;
            if (c == '\n') {
                line_at = i + 1;
            } else if (q >= 0) {
                depth = q; /* the closing quote also ends brackets left open inside it */
            } else if (units_opener(c) || c == '"') {
                if (depth < UNITS_MAX_OPEN) {
                    open_ch[depth] = c;
                    open_at[depth++] = i;
                }
            } else if (depth > 0 && open_ch[depth - 1] != '"' && c == units_closer_of(open_ch[depth - 1])) {
                depth--;
            }
        }
    }
    for (int b = 0; b < UNITS_ERR_BUCKETS; b++) {
        if (out[b].count) {
            out[b].net /= (double)out[b].count;
            out[b].ngram /= (double)out[b].count;
        }
        out[b].share = diff[4] != 0 ? diff[b] / diff[4] : 0;
    }
}
