/* keep_best.c — the best checkpoint by validation loss, next to the latest (see keep_best.h). */
#include "keep_best.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run_guard.h"

void keep_best_path(const char *latest, char *out, size_t cap)
{
    static const char ext[] = ".safetensors";
    size_t n = strlen(latest), e = sizeof ext - 1;
    if (n > e && !strcmp(latest + n - e, ext))
        n -= e;
    snprintf(out, cap, "%.*s.best%s", (int)n, latest, ext);
}

int keep_best_step(const Trainer *t, const char *latest, const StepInfo *info, int force, int *saved, Err *err)
{
    if (saved)
        *saved = 0;
    if (!latest || !*latest || !info->evaluated || !isfinite(info->val_loss) || t->best_step != info->step ||
        t->best_val_loss != info->val_loss)
        return 0;
    char path[TRAIN_PATH_MAX + 16];
    keep_best_path(latest, path, sizeof path);
    int rc = run_guard_save(t, path, force, "move it away or save this run under another name", err);
    if (rc == 0 && saved)
        *saved = 1;
    return rc;
}
