/* step_info.h — the record of one training step: what the trainer measured.
 *
 * A StepInfo has no pointers, so a copy stays valid forever: the trainer fills
 * one per step, the dashboard, the Lua host, the logs and the findings engine
 * read copies of it.
 */
#ifndef RNNSCOPE_STEP_INFO_H
#define RNNSCOPE_STEP_INFO_H

#include "diag.h"
#include "train_config.h"

#define STEP_MAX_TENSORS (3 + 4 * TRAIN_MAX_LAYERS)
#define DIAG_GATE_EVERY 10
/* A hidden unit is dead over a chunk when its h moves less than this. */
#define DIAG_DEAD_RANGE 1e-3f

typedef struct {
    long step;              /* 1-based number of this step */
    double epoch;           /* epochs completed, fractional, after this step */
    float loss;             /* mean cross-entropy of this chunk, nats per token */
    float lr;               /* learning rate used */
    float grad_norm;        /* global L2 norm of the gradient before clipping */
    int clipped;            /* 1 if global-norm clipping scaled the gradient */
    long n_clamped;         /* elements clamped by --clip-value */
    double ms;              /* wall time of the step */
    double tokens_per_s;    /* B*T / step time */
    double allreduce_ms;    /* of ms, the gradient sum across ranks (0 on one process) */
    int n_tensors;          /* 3 + 4L */
    float grad_norms[STEP_MAX_TENSORS];   /* per tensor, before clipping */
    float update_ratio[STEP_MAX_TENSORS]; /* per tensor ||new - old|| / ||old|| */
    int n_layers, n_gates;
    float gate_grad_norms[TRAIN_MAX_LAYERS][4]; /* (L, G) norm of the gradient rows of one
                                                   gate block: w_ih, w_hh, b_ih and b_hh */
    int evaluated;          /* 1 if a validation pass ran after this step */
    float val_loss;         /* its loss (NAN if none) */
    /* Gradient inspector (diag.h). The flow arrays live inside the record (no
     * pointers), so a copy stays valid forever: (n_layers, flow_len) with
     * n_layers * flow_len <= DIAG_FLOW_CELLS, position t ascending (the last
     * entry is the newest position, "t-0"); flow_stride > 1 only when
     * L * T > DIAG_FLOW_CELLS, each entry then averaging that many positions. */
    int flow_len, flow_stride;
    float flow[DIAG_FLOW_CELLS];  /* mean over B of ||dLoss/dh_t||, the whole gradient */
    long decay_step;              /* step of the last decay probe (0: none yet) */
    float decay[DIAG_FLOW_CELLS]; /* from that probe: mean over B of ||dL_{T-1}/dh_t||,
                                     the last position's loss carried back alone */
    float gate_sat[TRAIN_MAX_LAYERS][4]; /* (L, G) fraction of saturated units, as GateStats,
                                            measured every DIAG_GATE_EVERY steps */
    float gate_mean[TRAIN_MAX_LAYERS];   /* lstm: mean forget gate; gru: mean update gate */
    float clip;                   /* the global-norm threshold in force (0 = off) */
    long gate_step;               /* the step gate_sat, gate_mean and dead_frac were measured at */
    float dead_frac[TRAIN_MAX_LAYERS]; /* (L) fraction of hidden units whose h does not change
                                          (range < DIAG_DEAD_RANGE) over that step's chunk */
} StepInfo;

#endif
