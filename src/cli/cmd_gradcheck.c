/* cmd_gradcheck.c — `rnnscope gradcheck`: analytic gradients against central
 * differences on a small model, the worst relative error per tensor. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "flags.h"
#include "gradcheck.h"

/* A relative error below this is agreement within float32 rounding. */
#define GRADCHECK_PASS 1e-2

int cmd_gradcheck(int argc, char **argv)
{
    const char *cell = "all";
    int layers = 2;
    long seed = 1;
    const CliOpt opts[] = {
        {"cell", CLI_STR, &cell, 0, 0, "CELL", "lstm, gru, rnn or all"},
        {"layers", CLI_INT, &layers, 1, 4, "N", "stacked layers of the small model"},
        {"seed", CLI_LONG, &seed, 0, 9.2e18, "S", "random seed of the weights and data"},
    };
    CliSpec spec = {
        .usage = "rnnscope gradcheck [--cell lstm|gru|rnn|all] [--layers N]",
        .summary = "Compare backpropagated gradients with central differences of the loss on a small\n"
                   "model, tensor by tensor. Relative error = |a - n| / max(|a| + |n|, 1e-4).",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    CellType cells[3];
    int n_cells = 0;
    if (!strcmp(cell, "all")) {
        cells[0] = CELL_LSTM;
        cells[1] = CELL_GRU;
        cells[2] = CELL_RNN;
        n_cells = 3;
    } else if (cell_parse(cell, &cells[0]) == 0) {
        n_cells = 1;
    } else {
        err_set(&err, ERR_INPUT, "--cell: unknown cell '%s'; use lstm, gru, rnn or all", cell);
        return report(&err);
    }
    int failed = 0, checked = 0;
    printf("%-6s %-22s %8s %12s %12s %12s\n", "cell", "tensor", "checked", "max|grad|", "max abs err",
           "max rel err");
    for (int c = 0; c < n_cells; c++) {
        GradcheckRow rows[3 + 4 * 4];
        int n = gradcheck_run(cells[c], layers, (uint64_t)seed, rows, (int)(sizeof rows / sizeof rows[0]), &err);
        if (n < 0)
            return report(&err);
        for (int i = 0; i < n; i++) {
            int bad = rows[i].max_rel_err > GRADCHECK_PASS;
            failed += bad;
            checked++;
            printf("%-6s %-22s %8d %12.3e %12.3e %12.3e%s\n", cell_name(cells[c]), rows[i].name,
                   rows[i].n_checked, rows[i].max_abs_grad, rows[i].max_abs_err, rows[i].max_rel_err,
                   bad ? "  FAIL" : "");
        }
    }
    if (failed)
        printf("FAIL: %d of %d tensor(s) have a worst relative error above %.0e\n", failed, checked, GRADCHECK_PASS);
    else
        printf("ok: the worst relative error of every one of the %d tensors is below %.0e\n", checked,
               GRADCHECK_PASS);
    return failed ? 1 : 0;
}
