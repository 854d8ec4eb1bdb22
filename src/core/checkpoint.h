/* checkpoint.h — the model part of a checkpoint: tensors under PyTorch's
 * state_dict names plus the metadata keys of DESIGN.md (format, cell, layers,
 * hidden, embed, vocab_size, tokenizer, vocab).
 *
 * This file knows nothing of training: the trainer adds its run state (optimizer
 * moments, step, RNG, data position) to the same writer and reads it back from
 * the same StFile. A file holding only the model tensors and these keys loads
 * here, whoever wrote it (rnnscope, or PyTorch under the same names).
 */
#ifndef RNNSCOPE_CHECKPOINT_H
#define RNNSCOPE_CHECKPOINT_H

#include "err.h"
#include "model.h"
#include "safetensors.h"
#include "tokenizer.h"

/* Add every model tensor and the model metadata to w. */
void checkpoint_write_model(StWriter *w, const Model *m, const Tokenizer *tok);

/* Read the model config from f's metadata. ERR_INPUT naming the file and key
 * when a key is missing or malformed. */
int checkpoint_read_config(const StFile *f, ModelConfig *cfg, TokType *tok_type, Err *err);

/* Build *m (allocated here) and *tok from f, checking every tensor's presence,
 * dtype and shape against the metadata. On failure nothing is left allocated. */
int checkpoint_read_model(const StFile *f, Model *m, Tokenizer *tok, Err *err);

/* Convenience: st_read + checkpoint_read_model + st_free. */
int checkpoint_load(const char *path, Model *m, Tokenizer *tok, Err *err);

/* Model tensors, model metadata, nothing else; written atomically. */
int checkpoint_save_model(const char *path, const Model *m, const Tokenizer *tok, Err *err);

#endif
