/* fuzz_findings.c — libFuzzer target for findings_load (findings.c), which
 * restores the findings engine from a checkpoint's findings.state and
 * findings.nonfinite metadata. The input is split at its first NUL byte into
 * those two strings, put in an in-memory StFile (no file, no JSON: just the
 * parser of the state record). A state that loads is then driven through the
 * listing, verdict, event and observe calls a resumed run makes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "findings.h"
#include "fuzz_util.h"
#include "safetensors.h"
#include "step_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t n1 = nul ? (size_t)(nul - data) : size;
    char *state = malloc(n1 + 1);
    memcpy(state, data, n1);
    state[n1] = '\0';
    size_t n2 = nul ? size - n1 - 1 : 0;
    char *nonfinite = malloc(n2 + 1);
    if (n2)
        memcpy(nonfinite, nul + 1, n2);
    nonfinite[n2] = '\0';

    char *keys[2] = {"findings.state", "findings.nonfinite"};
    char *values[2] = {state, nonfinite};
    StFile file;
    memset(&file, 0, sizeof file);
    file.path = "fuzz.safetensors";
    file.n_meta = nul ? 2 : 1;
    file.meta_keys = keys;
    file.meta_values = values;

    FindingsContext ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.cell = 0;
    ctx.layers = 2;
    ctx.hidden = 16;
    ctx.vocab = 60;
    ctx.seq = 16;
    ctx.n_params = 10000;
    ctx.n_train = 4000;
    ctx.n_val = 400;
    ctx.lr = 0.002f;
    ctx.clip = 5;
    ctx.unigram = 3.0;
    ctx.ngram = 2.0;
    ctx.n_tensors = 10;
    for (int i = 1; i < ctx.n_tensors && i < STEP_MAX_TENSORS; i++)
        ctx.is_matrix[i] = i % 2;

    static Findings f;
    findings_init(&f, &ctx);
    Err err;
    if (findings_load(&f, &file, &err) == 0) {
        static Finding out[FINDINGS_MAX];
        findings_list(&f, out, FINDINGS_MAX);
        int p, w, n;
        findings_counts(&f, &p, &w, &n);
        findings_verdict(&f);
        findings_steps_to_judge(&f, 100);
        FindingEvent ev;
        long seen = 0;
        while (findings_next_event(&f, &seen, &ev))
            ;
        for (long i = 0; findings_event(&f, i, &ev); i++)
            ;
        for (int id = 0; id < FD_COUNT; id++) {
            Finding one;
            findings_get(&f, (FindingId)id, &one);
        }
        /* one more step on the restored state */
        static StepInfo info;
        memset(&info, 0, sizeof info);
        info.step = f.last_step >= 0 && f.last_step < 1000000000000000L ? f.last_step + 1 : 1;
        info.n_tensors = ctx.n_tensors;
        info.n_layers = ctx.layers;
        info.n_gates = 4;
        info.val_loss = NAN;
        info.loss = 2.5f;
        info.lr = 0.002f;
        info.grad_norm = 1.0f;
        findings_observe_step(&f, &info);
        findings_list(&f, out, FINDINGS_MAX);
        findings_verdict(&f);
    }
    free(state);
    free(nonfinite);
    return 0;
}
