/* tname.h — tensor names shortened to fit a column, one rule for every list.
 *
 * For: the inspector's update-ratio rows, the per-tensor table, histogram
 * titles: wherever a state_dict name ("rnn.weight_ih_l0") must fit w
 * columns. The distinguishing end (the layer, "_l0") always survives:
 *
 *   level 0  rnn.weight_ih_l0   embedding.weight   head.bias   (as written)
 *   level 1  weight_ih_l0       embedding.weight   head.bias   (no "rnn.")
 *   level 2  w_ih_l0            emb.w              head.b      (words abbreviated)
 *   beyond   w_i…_l0            the head cut with "…", the tail kept
 *
 * A list uses one level for all its names (the lowest at which every name
 * fits), so its rows read alike. A "grad:" or "act:" prefix is kept whole.
 * Pure string work: no drawing.
 */
#ifndef RNNSCOPE_TNAME_H
#define RNNSCOPE_TNAME_H

#include <stddef.h>

enum { TNAME_LEVELS = 3 };

/* name at `level` (0..TNAME_LEVELS-1) into out; then, if still wider than
 * w columns, cut in the middle with "…" so its tail ("_l0") stays. Returns
 * the display width of out. */
int tname_format(const char *name, int level, int w, char *out, size_t cap);

/* The lowest level at which every one of the n names fits w columns
 * (TNAME_LEVELS - 1 when none does). */
int tname_list_level(const char (*names)[48], int n, int w);

/* One name on its own: the lowest level that fits, then the cut. */
int tname_fit(const char *name, int w, char *out, size_t cap);

#endif
