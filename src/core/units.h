/* units.h — what each hidden unit has learned: activations over a text, the
 * signals to compare them with, and the ranking of units by a signal.
 *
 * A UnitText is a text with its token ids and the bytes each token covers.
 * A UnitCapture runs a copy of a model's weights over it (one stream from a
 * zero state, in chunks, so a caller can spread the work over time) and keeps,
 * for every layer, kind and unit, the activation at every position:
 *   lstm  c (as tanh(c), the paper's choice), h, and the gates i f g o
 *   gru   h and the gates r z n
 *   rnn   h
 * with each position's loss (-ln p of its token given the tokens before it)
 * and, per unit, how often it is saturated (sigmoid gates below 0.1 or above
 * 0.9; tanh kinds below -0.9 or above 0.9), as in Karpathy, Johnson and
 * Fei-Fei 2015.
 *
 * Signals are one number per position (NAN: not counted): inside a match of a
 * regular expression (1/0), the column in the line, the indentation depth, a
 * marked span. units_rank scores every unit by the Pearson correlation of its
 * activation with a signal; units_rank_span by how much higher (or lower) it
 * is over a span than around it (LSTMVis's selection).
 *
 * The tui's units screen, `rnnscope units` and rnn.activations / rnn.units
 * are views over this. Not here: drawing, files, Lua.
 */
#ifndef RNNSCOPE_UNITS_H
#define RNNSCOPE_UNITS_H

#include <stddef.h>

#include "err.h"
#include "model.h"
#include "ngram.h"
#include "tokenizer.h"

#define UNITS_MAX_KINDS 6
#define UNITS_CHUNK 64          /* positions per forward of a capture */
#define UNITS_SAT_SIGMOID 0.1f  /* a sigmoid gate is left-saturated below this, right above 1 - it */
#define UNITS_SAT_TANH 0.9f     /* a tanh kind is saturated beyond +-this */

/* The kinds of a cell, in index order: lstm "c h i f g o", gru "h r z n",
 * rnn "h". */
int units_n_kinds(CellType cell);
const char *units_kind_name(CellType cell, int kind); /* "" when out of range */
int units_kind_parse(CellType cell, const char *name); /* index, or -1 */
int units_kind_is_gate(CellType cell, int kind);       /* a sigmoid gate (i f o, r z) */
const char *units_kind_list(CellType cell);            /* "c, h, i, f, g, o" for messages */
/* v on the views' -1..+1 colour scale: a sigmoid gate's 0..1 stretched to it
 * (2v - 1), every other kind as it is. */
double units_display_value(CellType cell, int kind, double v);

/* A text with its tokens. */
typedef struct {
    char *text;      /* (len + 1) the bytes, NUL-terminated */
    size_t len;
    int *ids;        /* (n) token ids */
    size_t *start;   /* (n) first byte of each token */
    size_t *end;     /* (n) one past its last byte */
    int n;
} UnitText;

/* Encode text with a tokenizer. ERR_INPUT (naming source and byte offset) for
 * invalid UTF-8 under char/word, or text with no known token. */
int units_text_encode(UnitText *u, const Tokenizer *tok, const char *text, size_t len,
                      const char *source, Err *err);
/* The text of ids[0..n) decoded (e.g. the held-out split). */
void units_text_from_ids(UnitText *u, const Tokenizer *tok, const int *ids, int n);
void units_text_free(UnitText *u);

typedef struct {
    ModelConfig cfg;
    int kinds;        /* K = units_n_kinds(cfg.cell) */
    int n;            /* positions: the text's tokens */
    int done;         /* positions captured so far (n when complete) */
    float *act;       /* (L, K, n, H) activation of unit j of layer l, kind k, position t at
                         ((l * K + k) * n + t) * H + j */
    double *loss;     /* (n) the network's -ln p(token t | tokens < t); NAN at t = 0 */
    int *sat_lo;      /* (L, K, H) positions where the unit was left-saturated */
    int *sat_hi;      /* (L, K, H) right-saturated */
    /* private */
    Model model;      /* the weights the capture runs on (a copy) */
    Workspace *ws;    /* T = UNITS_CHUNK, B = 1 */
    State state;
    int *ids;         /* (n) a copy of the text's ids */
} UnitCapture;

/* Bytes a capture of n positions holds for cfg (activations and counts). */
size_t units_capture_bytes(const ModelConfig *cfg, int n);
/* Prepare a capture of m's current weights over ids[0..n) (copied). ERR_INPUT
 * when n < 1 or an id is outside the vocabulary. */
int units_capture_begin(UnitCapture *u, const Model *m, const int *ids, int n, Err *err);
/* Capture at least max_positions more positions (whole chunks; <= 0: all).
 * Returns the positions still to do (0: complete). */
int units_capture_run(UnitCapture *u, int max_positions);
void units_capture_free(UnitCapture *u);
/* The activation of (layer, kind, unit) at positions 0..n: a column with a
 * stride of H floats. */
const float *units_column(const UnitCapture *u, int layer, int kind, int unit);

/* Capture everything at once; the same as begin and run to completion. */
int units_capture(UnitCapture *u, const Model *m, const int *ids, int n, Err *err);

/* ---- signals: (n) per position, NAN where a position does not count ----------- */

/* 1 where the token starts inside a match of the POSIX extended regular
 * expression re (matches found left to right, not overlapping; an empty
 * match marks nothing), else 0. Returns 0, or -1 with the compiler's message
 * ("bad regular expression '...': ...") in msg. */
int units_signal_regex(const UnitText *t, const char *re, double *sig, char *msg, size_t cap);
/* The column: characters since the last newline before the token. */
void units_signal_line(const UnitText *t, double *sig);
/* The indentation depth: leading spaces of the token's line (a tab counts to
 * the next multiple of 8), counted up to the token inside the indentation. */
void units_signal_indent(const UnitText *t, double *sig);

/* ---- ranking ------------------------------------------------------------------- */

typedef struct {
    int layer, unit;
    double score;    /* units_rank: Pearson r; units_rank_span: mean inside - mean around */
    double inside;   /* units_rank_span: mean over the span; units_rank: 0 */
    double around;   /* units_rank_span: mean around it; units_rank: 0 */
} UnitScore;

/* Every unit of kind (layer: one layer, or -1 for all) scored by the Pearson
 * correlation of its activation with sig over the captured positions where sig
 * is finite; a constant unit or signal scores 0. The `top` best by |r| go to
 * out, ties by layer then unit. Returns how many were written (fewer than top
 * when there are fewer units), or -1 when kind or layer is out of range. */
int units_rank(const UnitCapture *u, int kind, int layer, const double *sig, UnitScore *out,
               int top);
/* The units most different over positions [a, b) than around it (the
 * max(b - a, 16) positions on each side): ranked by |inside - around|.
 * Returns the count, or -1 for a bad kind, layer or an empty span. */
int units_rank_span(const UnitCapture *u, int kind, int layer, int a, int b, UnitScore *out,
                    int top);
/* Pearson correlation of x (stride sx) with y over the i < n where y is finite. */
double units_correlation(const float *x, size_t sx, const double *y, int n);

/* ---- the n-gram comparison ------------------------------------------------------ */

/* out[t] = -ln p(ids[t] | the order-1 tokens before it) under g; out[0] = NAN. */
void units_ngram_loss(const NGram *g, const int *ids, int n, int order, double *out);

enum { UNITS_ERR_BUCKETS = 5 };
/* Where the network beats (or loses to) counting, by the context a position
 * needs. Buckets:
 *   0  the newline that began the line is among the order-1 tokens the n-gram
 *      sees (the first line: the position is one of the first order-1)
 *   1  the line began longer ago, and no bracket or quote is open
 *   2  every open bracket or quote opened within the n-gram's window (its
 *      opener is one of the order-1 tokens before the position)
 *   3  some open bracket or quote opened longer ago (out of the n-gram's reach)
 *   4  every position
 * (buckets 0-3 partition the positions with both losses; an open structure
 * puts a position in 2 or 3 whatever its column). */
typedef struct {
    const char *name;  /* what the bucket holds, in words */
    const char *label; /* a short form for narrow columns: "open > window" */
    long count;       /* positions */
    double net;       /* mean network loss, nats */
    double ngram;     /* mean n-gram loss */
    double share;     /* this bucket's part of the total (ngram - net), in [-inf, inf]; 1 for bucket 4 */
} UnitErrBucket;
void units_error_summary(const UnitText *t, const double *net, const double *ngram, int order,
                         UnitErrBucket out[UNITS_ERR_BUCKETS]);

/* ---- ablation ------------------------------------------------------------------- */

/* Remove unit `unit` of layer `layer` from what the model predicts: zero its
 * column in the layer's recurrent weights and in the weights that read the
 * layer's output (the next layer's input weights, or the head), so its h never
 * reaches another unit or the logits. params: cfg's layout (model_layout).
 * ERR_INPUT for a layer or unit out of range. */
int units_ablate(const ModelConfig *cfg, float *params, int layer, int unit, Err *err);

#endif
