/* fuzz_resume.c — libFuzzer target for trainer_resume (trainer.c): a whole
 * checkpoint (model, train.* settings, run.* state, optimizer moments,
 * history, diag.*, findings) from a temporary file, continued on a tiny corpus.
 *
 * The corpus is build-fuzz/tiny.txt (the first 4 KB of corpora/lighthouse.txt,
 * made by `make fuzz`; FUZZ_TINY_CORPUS overrides), given as an explicit
 * --corpus so a crafted train.corpus cannot point the loader elsewhere; seeds
 * from fuzz/seeds.sh were trained on that same file, so the full restore path
 * (data position, carried state) runs. --threads 1 is forced too. A run that
 * resumes then takes one training step, so state the restore let through
 * inconsistent with the model shows up.
 *
 * Input: one byte choosing the file as is or with its header length fixed
 * (fuzz_st_input in fuzz_util.h), then the file.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_util.h"
#include "train_config.h"
#include "trainer.h"

static TrainConfig cfg;
static int *overridden;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tiny = getenv("FUZZ_TINY_CORPUS");
    if (!tiny)
        tiny = "build-fuzz/tiny.txt";
    char real[PATH_MAX];
    if (!realpath(tiny, real)) {
        fprintf(stderr, "fuzz_resume: %s is missing; run make fuzz (or set FUZZ_TINY_CORPUS)\n", tiny);
        exit(2);
    }
    train_config_default(&cfg);
    overridden = calloc((size_t)train_config_n_fields(), sizeof *overridden);
    Err err;
    if (train_config_set(&cfg, "corpus", real, &err) != 0 || train_config_set(&cfg, "threads", "1", &err) != 0) {
        fprintf(stderr, "fuzz_resume: %s\n", err.msg);
        exit(2);
    }
    for (int i = 0; i < train_config_n_fields(); i++) {
        const char *name = train_config_field(i)->name;
        overridden[i] = strcmp(name, "corpus") == 0 || strcmp(name, "threads") == 0;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *fixed;
    const uint8_t *bytes = fuzz_st_input(data, size, &n, &fixed);
    const char *path = fuzz_tmp_write(bytes, n, ".safetensors");
    free(fixed);
    static Trainer t;
    Err err;
    if (trainer_resume(&t, path, &cfg, overridden, &err) != 0)
        return 0;
    StepInfo info;
    trainer_step(&t, &info, &err);
    trainer_free(&t);
    return 0;
}
