/* model.h — a recurrent language model: embedding -> L stacked cells -> linear head.
 *
 * Cells: lstm (PyTorch gate order i, f, g, o), gru (r, z, n with
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h) and a
 * plain tanh rnn. Dropout (train only) is applied to the outputs of layers
 * 0..L-2 before they feed the next layer, as torch.nn.LSTM(dropout=p) does.
 *
 * Memory: every parameter lives in one contiguous float buffer `params`, every
 * gradient in `grads` with the same layout; a TensorView names a slice. The
 * tensor order and names are PyTorch's state_dict names (DESIGN.md):
 *   0            embedding.weight    (V, E)
 *   1 + 4k + 0   rnn.weight_ih_l{k}  (G*H, E if k == 0 else H)
 *   1 + 4k + 1   rnn.weight_hh_l{k}  (G*H, H)
 *   1 + 4k + 2   rnn.bias_ih_l{k}    (G*H)
 *   1 + 4k + 3   rnn.bias_hh_l{k}    (G*H)
 *   1 + 4L       head.weight         (V, H)
 *   2 + 4L       head.bias           (V)
 *
 * A forward pass runs one chunk of T time steps over B streams (time-major
 * token ids, x[t*B + b]) from a State, leaves the final state in that State
 * (truncated BPTT: the caller carries it to the next chunk) and keeps every
 * activation the backward pass needs in a Workspace allocated once for the
 * largest (T, B). Nothing is allocated inside forward or backward.
 * A Workspace may own a thread pool (workspace_new_threads); the model
 * functions then run on it, with the same API.
 */
#ifndef RNNSCOPE_MODEL_H
#define RNNSCOPE_MODEL_H

#include <stddef.h>

#include "err.h"
#include "rng.h"

typedef enum { CELL_LSTM = 0, CELL_GRU = 1, CELL_RNN = 2 } CellType;

typedef struct {
    CellType cell;
    int layers;    /* L >= 1 */
    int hidden;    /* H */
    int embed;     /* E */
    int vocab;     /* V */
    float dropout; /* probability of zeroing a unit between layers, in [0, 1) */
} ModelConfig;

/* The largest model rnnscope builds: the command line's limits, which a
 * checkpoint's metadata must respect too. */
#define MODEL_MAX_LAYERS 16
#define MODEL_MAX_WIDTH 8192      /* hidden and embed */
#define MODEL_MAX_VOCAB (1 << 22)

int cell_gates(CellType c);           /* G: 4 lstm, 3 gru, 1 rnn */
const char *cell_name(CellType c);    /* "lstm", "gru", "rnn" */
int cell_parse(const char *s, CellType *out); /* 0 on success, -1 if unknown */

typedef struct {
    char name[48];  /* PyTorch state_dict name */
    size_t offset;  /* first element in Model.params / Model.grads */
    size_t size;    /* number of elements */
    int ndim;       /* 1 or 2 */
    int shape[2];   /* shape[1] unused when ndim == 1 */
} TensorView;

/* The tensors a configuration has, in order, with names, shapes and offsets,
 * without allocating them: views must hold 3 + 4 * layers entries (at most
 * MODEL_MAX_TENSORS). Returns how many; *n_params gets the total. */
#define MODEL_MAX_TENSORS (3 + 4 * MODEL_MAX_LAYERS)
int model_layout(const ModelConfig *cfg, TensorView *views, size_t *n_params);

enum { TENSOR_EMBEDDING = 0 };
#define TENSOR_W_IH(k) (1 + 4 * (k))
#define TENSOR_W_HH(k) (2 + 4 * (k))
#define TENSOR_B_IH(k) (3 + 4 * (k))
#define TENSOR_B_HH(k) (4 + 4 * (k))
#define TENSOR_HEAD_W(L) (1 + 4 * (L))
#define TENSOR_HEAD_B(L) (2 + 4 * (L))

typedef struct {
    ModelConfig cfg;
    size_t n_params;     /* total number of parameters */
    float *params;       /* (n_params) every tensor, contiguous */
    float *grads;        /* (n_params) same layout as params */
    int n_tensors;       /* 3 + 4L */
    TensorView *tensors; /* (n_tensors) in the order above */
} Model;

/* Allocate a model (parameters zeroed). Returns ERR_INPUT if the config is out of
 * range (message names the field). */
int model_new(Model *m, const ModelConfig *cfg, Err *err);
void model_free(Model *m);
/* PyTorch's initialisation: every tensor of the rnn and head uniform in
 * ±1/sqrt(H), embedding standard normal. forget_bias_one (lstm only) sets the
 * forget-gate block of bias_ih to 1 and of bias_hh to 0. */
void model_init(Model *m, Rng *rng, int forget_bias_one);
float *model_tensor(const Model *m, int index);      /* params + offset */
float *model_tensor_grad(const Model *m, int index); /* grads + offset */
int model_find_tensor(const Model *m, const char *name); /* index or -1 */

/* Hidden state of B streams. */
typedef struct {
    int layers, batch, hidden;
    float *h; /* (L, B, H) */
    float *c; /* (L, B, H) lstm only, NULL otherwise */
} State;

void state_init(State *s, const ModelConfig *cfg, int B); /* zeroed */
void state_free(State *s);
void state_zero(State *s);
void state_copy(State *dst, const State *src);            /* same shapes */

/* Activations of one chunk; opaque. Sized for at most T steps of B streams. */
typedef struct Workspace Workspace;

/* Single-threaded (sampling, evaluation of one stream, tests). */
Workspace *workspace_new(const ModelConfig *cfg, int T, int B);
/* With a pool of `threads` threads (<= 0: one per core) that forward,
 * backward and the probe share out: the recurrence by streams (each thread
 * runs its streams' whole T loop), the products over the chunk by rows. The
 * results are bit-identical from run to run for a given thread count, and
 * agree with one thread's to float rounding. threads > 1 sets OpenBLAS to one
 * thread per call (the pool is the parallelism). The workspace must then be
 * used from one thread at a time. */
Workspace *workspace_new_threads(const ModelConfig *cfg, int T, int B, int threads);
void workspace_free(Workspace *ws);
size_t workspace_bytes(const Workspace *ws); /* memory held, for the bench */
int workspace_threads(const Workspace *ws);  /* the pool's thread count (1: none) */
/* The workspace's pool (NULL when single-threaded), for callers that want to
 * share other per-step work over the same threads (pool.h); not while a
 * model function runs on this workspace. */
typedef struct Pool Pool;
Pool *workspace_pool(const Workspace *ws);
/* This workspace runs streams [b0, b0 + B) of a batch of B_total streams
 * split across processes (comm.h; B_total 0: the whole batch, the default).
 * Its gradients are then of its targets' summed loss over T*B_total, so the
 * processes' gradients add up to the whole batch's mean-loss gradient (each
 * row's d(loss)/d(logits) bit-identical to one process's), the decay probe's
 * loss is over B_total streams likewise, and dropout masks are drawn for all
 * B_total streams and the shard's kept, so the rng advances as on one
 * process and the masks are the same. model_forward still returns the mean
 * over the shard's own targets. */
void workspace_set_shard(Workspace *ws, int B_total, int b0);
/* The summed loss of the last forward's T*B targets (double). */
double workspace_loss_sum(const Workspace *ws);
/* (T*B, V) raw logits of the last forward, row t*B + b. */
const float *workspace_logits(const Workspace *ws);

/* Forward over one chunk. x, y: (T, B) token ids, time-major; y may be NULL
 * (no loss: logits only). state: initial state in, final state out.
 * train != 0 applies dropout with masks drawn from rng (rng unused otherwise).
 * Returns the mean cross-entropy over the T*B targets (0 if y is NULL). */
float model_forward(Model *m, Workspace *ws, const int *x, const int *y,
                    int T, int B, State *state, int train, Rng *rng);

/* Backward of the last forward (which had targets): overwrites m->grads with
 * d(mean loss)/d(params). Gradients do not flow into the initial state. */
void model_backward(Model *m, Workspace *ws);

/* Mean cross-entropy of the last forward with targets, accumulated in double
 * (model_forward returns it rounded to float); for the gradient check. */
double workspace_loss(const Workspace *ws);

/* Diagnostics for the gradient inspector. */

/* (L, T) for the T of the last forward, row-major: after model_backward, for
 * each layer and step t the mean over the B streams of ||dLoss/dh_t||, the
 * whole gradient arriving at that layer's hidden output at step t (from above
 * and through the recurrence). Zero before the first backward. */
const float *workspace_dh_norms(const Workspace *ws);
/* T and B of the last forward (0, 0 before the first). */
void workspace_chunk(const Workspace *ws, int *T, int *B);

/* Read-only views of the activations the last forward stored (the backward
 * reads them; the inspector's histograms and non-finite search read them in
 * place, so no second copy exists). Rows are time-major (t*B + b) for the T, B
 * of workspace_chunk. NULL when layer is out of range or the cell has no such
 * buffer. */
const float *workspace_embedding(const Workspace *ws);              /* (T*B, E) layer 0's input */
const float *workspace_layer_h(const Workspace *ws, int layer);     /* ((T+1)*B, H) the carried-in
                                                                       h0, then h_1..h_T */
const float *workspace_layer_c(const Workspace *ws, int layer);     /* ((T+1)*B, H) lstm only: c0,
                                                                       then c_1..c_T */
const float *workspace_layer_gates(const Workspace *ws, int layer); /* (T*B, G*H) activated gates
                                                                       (lstm i f g o, gru r z n);
                                                                       NULL for rnn */

/* The decay probe: after model_forward with targets (and normally after
 * model_backward), the backward of the mean over the B streams of the LAST
 * position's loss alone, through the stored activations of that forward
 * (with dropout on, its own masks: the probe describes the training forward
 * as it ran). decay (L, T) receives, per layer and step t, the mean over the
 * streams of ||dLoss_{T-1}/dh_t||. Unlike the whole gradient of
 * workspace_dh_norms, where every position also gets its own loss's gradient,
 * this shows how fast one loss's gradient dies as it travels back.
 * It computes no weight gradient (about a third of a backward's work), leaves
 * m->grads, the activations and workspace_dh_norms untouched, and reuses the
 * backward's scratch, so a model_backward must not be pending on it. params:
 * the parameters that forward ran with, in m->params' layout (NULL: m->params
 * itself). All zero if the last forward had no targets. */
void model_backward_probe(const Model *m, const float *params, Workspace *ws, float *decay);

enum { GATE_STATS_MAX_BLOCKS = 4 };

/* Saturation of one layer's gates over the last forward's T*B*H units. */
typedef struct {
    int n_blocks;                                /* G: 4 lstm, 3 gru, 1 rnn */
    char names[GATE_STATS_MAX_BLOCKS][2];        /* "i" "f" "g" "o" / "r" "z" "n" / "h" */
    int is_tanh[GATE_STATS_MAX_BLOCKS];          /* 1 for tanh blocks (g, n, h) */
    /* sigmoid blocks: fraction < 0.05 or > 0.95; tanh blocks: fraction |y| > 0.95 */
    float saturated[GATE_STATS_MAX_BLOCKS];
    /* lstm: mean forget gate f; gru: mean update gate z; rnn: 0 */
    float gate_mean;
    long count;                                  /* units per block (T*B*H) */
} GateStats;

/* Computed on demand from the activations the last forward stored (the forward
 * itself does no extra work). All zero if there was no forward or layer is out
 * of range. */
void workspace_gate_stats(const Workspace *ws, int layer, GateStats *out);

#endif
