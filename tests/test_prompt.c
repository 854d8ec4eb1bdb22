/* test_prompt.c — incremental prompt state for the probability bars
 * (src/tui/prompt.c): a keystroke that appends costs one token, an edit
 * re-feeds from the longest unchanged prefix, new weights re-feed all, and the
 * logits always match those of core's sampler fed the whole text (to 1e-5:
 * the prompt's BLAS-free forward sums in another order). */
#include "check.h"
#include "prompt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Logits of a fresh sampler fed text (or the start token for ""). */
static void fresh_logits(Model *m, const Tokenizer *tok, const char *text, float *out)
{
    Sampler s;
    sampler_init(&s, m);
    int *ids = NULL;
    size_t n = 0;
    Err err;
    tokenizer_encode(tok, text, strlen(text), &ids, &n, NULL, NULL, "t", &err);
    const float *l = NULL;
    if (n == 0)
        l = sampler_feed(&s, sample_start_token(tok));
    for (size_t i = 0; i < n; i++)
        l = sampler_feed(&s, ids[i]);
    memcpy(out, l, sizeof(float) * (size_t)m->cfg.vocab);
    free(ids);
    sampler_free(&s);
}

static int same(const float *a, const float *b, int n)
{
    if (!a || !b)
        return 0;
    for (int i = 0; i < n; i++)
        if (!(fabsf(a[i] - b[i]) <= 1e-5f * (1.0f + fabsf(b[i]))))
            return 0;
    return 1;
}

static void run(CellType cell)
{
    const char *corpus = "the keeper of the light\nwatched the sea, and the sea watched back.\n";
    Tokenizer tok;
    Err err;
    tokenizer_build(&tok, TOK_CHAR, corpus, strlen(corpus), 0, "corpus", &err);
    ModelConfig mc = {cell, 2, 24, 8, tok.vocab_size, 0};
    Model m;
    model_new(&m, &mc, &err);
    Rng rng;
    rng_seed(&rng, 7);
    model_init(&m, &rng, 0);
    int V = tok.vocab_size;
    float *ref = malloc(sizeof(float) * (size_t)V);
    const char *cn = cell_name(cell);

    Prompt p;
    prompt_init(&p, &m, &tok);
    long fed = prompt_set_text(&p, "", 0);
    fresh_logits(&m, &tok, "", ref);
    CHECK(fed == 1 && same(prompt_logits(&p), ref, V), "%s: empty text feeds the start token", cn);

    char text[64] = "";
    const char *typed = "the sea";
    int ok = 1;
    for (size_t i = 0; i < strlen(typed); i++) {
        text[i] = typed[i];
        text[i + 1] = '\0';
        fed = prompt_set_text(&p, text, strlen(text));
        fresh_logits(&m, &tok, text, ref);
        if ((i > 0 && fed != 1) || !same(prompt_logits(&p), ref, V))
            ok = 0;
    }
    CHECK(ok, "%s: each appended character feeds one token and gives the fresh sampler's logits", cn);
    CHECK(prompt_set_text(&p, text, strlen(text)) == 0, "%s: the same text feeds nothing", cn);

    /* backspace: the prefix state is restored, nothing fed */
    fed = prompt_set_text(&p, "the se", 6);
    fresh_logits(&m, &tok, "the se", ref);
    CHECK(fed == 0 && same(prompt_logits(&p), ref, V), "%s: backspace restores the saved prefix (fed %ld)", cn, fed);

    /* an edit in the middle re-feeds from the longest unchanged prefix */
    fed = prompt_set_text(&p, "tha sea", 7);
    fresh_logits(&m, &tok, "tha sea", ref);
    CHECK(fed == 5 && same(prompt_logits(&p), ref, V), "%s: editing character 3 of 7 feeds 5 tokens (fed %ld)", cn, fed);

    /* new weights re-feed the whole prefix */
    for (size_t i = 0; i < m.n_params; i++)
        m.params[i] *= 0.5f;
    prompt_weights_changed(&p);
    fed = prompt_set_text(&p, "tha sea", 7);
    fresh_logits(&m, &tok, "tha sea", ref);
    CHECK(fed == 7 && same(prompt_logits(&p), ref, V), "%s: new weights re-feed all 7 tokens (fed %ld)", cn, fed);

    /* a caller continuing the text moves the sampler; the text's state comes back */
    prompt_rnn_feed(prompt_stream(&p), 1);
    prompt_invalidate(&p);
    fed = prompt_set_text(&p, "tha sea", 7);
    CHECK(fed == 0 && same(prompt_logits(&p), ref, V), "%s: after a continuation the prefix state is restored", cn);

    /* characters outside the vocabulary are counted, invalid UTF-8 refused */
    prompt_set_text(&p, "the Z", 5);
    CHECK(p.n_unknown == 1, "%s: unknown characters counted (%zu)", cn, p.n_unknown);
    CHECK(prompt_set_text(&p, "a\xff", 2) == -1, "%s: invalid UTF-8 is refused", cn);

    prompt_free(&p);
    free(ref);
    model_free(&m);
    tokenizer_free(&tok);
}

int main(void)
{
    run(CELL_LSTM);
    run(CELL_GRU);
    run(CELL_RNN);
    return check_summary();
}
