/* test_gradcheck.c — model_backward agrees with finite differences.
 *
 * For every cell and 1 and 2 layers, every tensor's worst relative error
 * between analytic and numeric gradients must be below GC_BOUND; likewise with
 * dropout on (fixed masks). Then a deliberately corrupted analytic gradient
 * must be caught, so the check itself can fail.
 */
#include <stdio.h>

#include "check.h"
#include "gradcheck.h"

#define GC_BOUND 1e-2
#define MAX_ROWS 32

static GradcheckRow rows[MAX_ROWS];

static double gc_worst(const GradcheckOptions *o, int verbose, const char **worst_name)
{
    Err err;
    err_clear(&err);
    int n = gradcheck_run_opts(o, rows, MAX_ROWS, &err);
    CHECK(n > 0, "gradcheck_run_opts %s L=%d ran (%s)", cell_name(o->cell), o->layers, err.msg);
    double worst = 0.0;
    *worst_name = "-";
    for (int i = 0; i < n; i++) {
        if (verbose)
            printf("  %-22s rel %.2e  abs %.2e  max|g| %.2e  n %d\n", rows[i].name,
                   rows[i].max_rel_err, rows[i].max_abs_err, rows[i].max_abs_grad,
                   rows[i].n_checked);
        CHECK(rows[i].n_checked > 0 && rows[i].max_abs_grad > 0.0,
              "%s L=%d %s: elements checked and gradient non-zero", cell_name(o->cell),
              o->layers, rows[i].name);
        if (rows[i].max_rel_err >= worst) {
            worst = rows[i].max_rel_err;
            *worst_name = rows[i].name;
        }
    }
    return worst;
}

int main(void)
{
    const CellType cells[3] = { CELL_LSTM, CELL_GRU, CELL_RNN };
    for (int c = 0; c < 3; c++) {
        for (int layers = 1; layers <= 2; layers++) {
            GradcheckOptions o = { cells[c], layers, 42 + (uint64_t)layers, 0.0f, -1 };
            const char *name;
            printf("%s L=%d\n", cell_name(cells[c]), layers);
            double w = gc_worst(&o, 1, &name);
            CHECK(w < GC_BOUND, "%s L=%d worst relative error %.2e (%s) < %.0e",
                  cell_name(cells[c]), layers, w, name, GC_BOUND);
        }
        GradcheckOptions d = { cells[c], 2, 7, 0.5f, -1 };
        const char *name;
        double w = gc_worst(&d, 0, &name);
        CHECK(w < GC_BOUND, "%s L=2 dropout 0.5: worst relative error %.2e (%s) < %.0e",
              cell_name(cells[c]), w, name, GC_BOUND);
    }
    /* The check must be able to fail: corrupt one element of a few tensors. */
    const int corrupt[3] = { TENSOR_W_HH(0), TENSOR_B_IH(1), TENSOR_HEAD_W(2) };
    for (int k = 0; k < 3; k++) {
        GradcheckOptions o = { CELL_LSTM, 2, 43, 0.0f, corrupt[k] };
        Err err;
        int n = gradcheck_run_opts(&o, rows, MAX_ROWS, &err);
        CHECK(n > corrupt[k] && rows[corrupt[k]].max_rel_err >= GC_BOUND,
              "corrupted gradient of %s detected (rel %.2e >= %.0e)",
              n > corrupt[k] ? rows[corrupt[k]].name : "?",
              n > corrupt[k] ? rows[corrupt[k]].max_rel_err : 0.0, GC_BOUND);
    }
    GradcheckRow few[2];
    Err err;
    CHECK(gradcheck_run(CELL_GRU, 1, 1, few, 2, &err) == -1 && err.code == ERR_RUNTIME,
          "too few rows is an error: %s", err.msg);
    CHECK(gradcheck_run(CELL_GRU, 0, 1, few, 2, &err) == -1 && err.code == ERR_INPUT,
          "zero layers is an input error: %s", err.msg);
    return check_summary();
}
