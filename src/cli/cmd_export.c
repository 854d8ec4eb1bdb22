/* cmd_export.c — `rnnscope export RUN --out MODEL.safetensors`: the model
 * alone, for other tools.
 *
 * A run checkpoint also holds the optimizer moments (optim.*), the run state
 * (run.*), its record and history (record.*, hist.*), diagnostics (diag.*),
 * findings (findings.*) and the training settings (train.* metadata), which
 * PyTorch's load_state_dict(strict=True) or safetensors.torch.load_model would
 * reject as unexpected keys. The export holds the model tensors under their
 * state_dict names and the model metadata only (checkpoint_save_model), the
 * float32 values bit for bit, written atomically.
 *
 * Replacing files: an export carries no run id, so no file can be recognised
 * as an earlier export of the same run. Any existing file at --out is
 * refused unless --force; the run's own file never is replaced, --force or
 * not (that would throw its training state away). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "commands.h"
#include "flags.h"
#include "paths.h"

/* What an existing file holds, for the refusal: "a run (lstm 2x128, step
 * 2000)", "a model (gru 1x64)", "a file that is not an rnnscope model". */
static void describe_file(const char *path, char *out, size_t cap)
{
    StFile f;
    Err e;
    if (st_read(&f, path, &e) != 0) {
        snprintf(out, cap, "a file that is not an rnnscope model");
        return;
    }
    const char *cell = st_meta(&f, "cell"), *layers = st_meta(&f, "layers"), *hidden = st_meta(&f, "hidden");
    const char *step = st_meta(&f, "run.step");
    if (cell && layers && hidden && step)
        snprintf(out, cap, "a run (%.16s %.8sx%.8s, step %.20s)", cell, layers, hidden, step);
    else if (cell && layers && hidden)
        snprintf(out, cap, "a model (%.16s %.8sx%.8s)", cell, layers, hidden);
    else
        snprintf(out, cap, "a file that is not an rnnscope model");
    st_free(&f);
}

int cmd_export(int argc, char **argv)
{
    const char *out = NULL;
    int force = 0;
    const CliOpt opts[] = {
        {"out", CLI_STR, &out, 0, 0, "MODEL", "write the model here (safetensors: model tensors and metadata only)"},
        {"force", CLI_FLAG, &force, 0, 1, NULL, "replace a file that already exists at --out"},
    };
    char *pos[1];
    CliSpec spec = {
        .usage = "rnnscope export RUN --out MODEL.safetensors [--force]",
        .summary = "Write the model of RUN (a checkpoint) without its training state: the tensors under\n"
                   "PyTorch's state_dict names (embedding, rnn, head) and the model metadata, nothing of\n"
                   "optim.*, run.*, record.*, hist.*, diag.*, findings.* or train.*, so PyTorch's\n"
                   "load_state_dict(strict=True) and safetensors.torch.load_model load it as it is.\n"
                   "sample, eval and train --resume (a new run from these weights) read it too.\n"
                   "An existing file at --out is replaced only with --force; RUN itself never is.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .min_pos = 1, .max_pos = 1, .pos = pos,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    if (!out || !*out) {
        err_set(&err, ERR_INPUT, "export needs --out MODEL.safetensors");
        return report(&err);
    }
    StFile f;
    if ((rc = st_read(&f, pos[0], &err)) != 0)
        return report(&err);
    Model m;
    Tokenizer tok;
    rc = checkpoint_read_model(&f, &m, &tok, &err);
    st_free(&f);
    if (rc)
        return report(&err);

    struct stat a, b;
    int exists = stat(out, &b) == 0;
    if (exists && stat(pos[0], &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        rc = err_set(&err, ERR_INPUT, "not exporting over %s: it is the run itself, whose training state would be "
                     "lost; give another --out path", out);
    else if (!rc && (rc = paths_make_parent(out, &err)) == 0 && (rc = st_check_save_path(out, &err)) == 0 &&
             exists && !force) {
        char what[160];
        describe_file(out, what, sizeof what);
        rc = err_set(&err, ERR_INPUT, "not saving over %s: it already holds %s, and an export carries no run id "
                     "to tell whose it is; give another path, or add --force to replace it", out, what);
    }
    if (!rc)
        rc = checkpoint_save_model(out, &m, &tok, &err);
    if (!rc)
        printf("exported the %s %dx%d model of %s (%d tensors, %zu parameters) to %s\n", cell_name(m.cfg.cell),
               m.cfg.layers, m.cfg.hidden, pos[0], m.n_tensors, m.n_params, out);
    model_free(&m);
    tokenizer_free(&tok);
    return rc ? report(&err) : 0;
}
