/* paths.h — where rnnscope keeps its own files, one rule for every layer.
 *
 * The state directory: $XDG_STATE_HOME/rnnscope when XDG_STATE_HOME is an
 * absolute path, else ~/.local/state/rnnscope (./.local/state/rnnscope
 * without a HOME). Nothing here creates it.
 */
#ifndef RNNSCOPE_PATHS_H
#define RNNSCOPE_PATHS_H

#include <stddef.h>

void paths_state_dir(char *out, size_t cap);

#endif
