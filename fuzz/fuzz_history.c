/* fuzz_history.c — libFuzzer target for history_read_file (history_io.c), the
 * reader behind the dashboard's :compare of a saved run: a safetensors file
 * whose run record (record.* / hist.* metadata and tensors) may be anything.
 * A record that loads is then read through every accessor the charts use, so
 * ring positions or counts the loader let through out of range show up.
 *
 * Input: one byte choosing the file as is or with its header length fixed
 * (fuzz_st_input in fuzz_util.h), then the file.
 */
#include <stdlib.h>

#include "err.h"
#include "fuzz_util.h"
#include "history.h"

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *fixed;
    const uint8_t *bytes = fuzz_st_input(data, size, &n, &fixed);
    const char *path = fuzz_tmp_write(bytes, n, ".safetensors");
    free(fixed);
    History h;
    history_init(&h);
    Err err;
    if (history_read_file(&h, path, &err) == 0) {
        static double x[CAP], y[CAP];
        for (int s = HIST_LOSS; s <= HIST_GRAD_NORM; s++) {
            history_series(&h, (HistSeries)s, 0, x, y, CAP);
            history_series(&h, (HistSeries)s, 100, x, y, CAP);
        }
        history_val(&h, 0, x, y, CAP);
        history_latest_step(&h);
        for (long i = 0; i < h.n_recent + 1; i++)
            history_recent(&h, i);
        for (int t = 0; t < h.n_tensors; t++)
            history_tensor_norms(&h, t, y, CAP);
        if (h.n_layers > 0) {
            int groups = history_n_groups(h.n_layers);
            char why[128];
            for (int g = 0; g < groups; g++) {
                history_group_norms(&h, g, y, CAP);
                history_grad_flag(&h, g, 5.0, why, sizeof why);
            }
        }
    }
    history_free(&h);
    return 0;
}
