/* paths.c — rnnscope's own directories (see paths.h). */
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>

void paths_state_dir(char *out, size_t cap)
{
    const char *x = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (x && x[0] == '/')
        snprintf(out, cap, "%s/rnnscope", x);
    else
        snprintf(out, cap, "%s/.local/state/rnnscope", home && *home ? home : ".");
}
