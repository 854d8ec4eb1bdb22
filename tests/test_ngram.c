/* test_ngram.c — the Kneser-Ney baseline: a hand-computed loss on a five-token
 * corpus, probabilities that sum to one, and more context helping on real text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "corpus.h"
#include "ngram.h"

int main(void)
{
    Err err;
    NGram *g;
    /* a b a b b, vocabulary {a, b, c}, order 2, D = 0.75.
     * bigram counts ab 2, ba 1, bb 1; unigram continuation counts a 2 (ba, and
     * the start), b 2 (ab, bb): p1(a) = p1(b) = 1.25/4 + 0.75*2/4/3 = 0.4375,
     * p1(c) = 0.125. Context a: total 2, 1 type; context b: total 2, 2 types.
     * p(b|a) = 1.25/2 + 0.75*1/2*0.4375 = 0.7890625
     * p(a|b) = p(b|b) = 0.25/2 + 0.75*2/2*0.4375 = 0.453125 */
    int ids[5] = {0, 1, 0, 1, 1};
    CHECK(ngram_build(&g, ids, 5, 2, 3, &err) == 0, "order-2 model of 5 tokens builds");
    int a = 0, b = 1;
    CHECK(fabs(ngram_prob(g, &a, 1, 1) - 0.7890625) < 1e-12, "p(b|a) = 0.7890625 (%.10f)", ngram_prob(g, &a, 1, 1));
    CHECK(fabs(ngram_prob(g, &b, 1, 0) - 0.453125) < 1e-12, "p(a|b) = 0.453125");
    CHECK(fabs(ngram_prob(g, ids, 0, 2) - 0.125) < 1e-12, "p(c) with no context = 0.125");
    double want = -(2 * log(0.7890625) + 2 * log(0.453125)) / 4;
    double got = ngram_loss(g, ids, 5);
    CHECK(fabs(got - want) < 1e-12, "loss of the corpus on itself %.10f = hand-computed %.10f", got, want);
    int unseen = 2;
    CHECK(fabs(ngram_prob(g, &unseen, 1, 0) - 0.4375) < 1e-12, "an unseen context backs off to p1(a) = 0.4375");
    ngram_free(g);

    CHECK(ngram_build(&g, ids, 5, 0, 3, &err) == ERR_INPUT && strstr(err.msg, "--ngram"), "order 0 refused: %s",
          err.msg);
    int bad[3] = {0, 7, 1};
    CHECK(ngram_build(&g, bad, 3, 2, 3, &err) == ERR_INPUT && strstr(err.msg, "position 1"),
          "an id outside the vocabulary is named: %s", err.msg);

    /* real text: probabilities sum to one; order 3 beats order 1 on held-out text */
    const char *d = getenv("RNNSCOPE_TESTS");
    char path[600];
    snprintf(path, sizeof path, "%s/../corpora/lighthouse.txt", d ? d : "tests");
    Corpus c;
    if (!CHECK(corpus_load(&c, path, TOK_CHAR, 0, 0.1f, NULL, &err) == 0, "corpus loads (%s)", err.msg))
        return check_summary();
    double loss[6];
    for (int order = 1; order <= 5; order++) {
        if (ngram_build_ids(&g, &c.ids, 0, c.n_train, order, c.tok.vocab_size, &err) != 0)
            break;
        double worst = 0;
        for (size_t i = 100; i < 140; i++) {
            double s = 0;
            int ctx[6];
            token_ids_copy(&c.ids, i - 6, 6, ctx);
            for (int w = 0; w < c.tok.vocab_size; w++)
                s += ngram_prob(g, ctx, 6, w);
            worst = fmax(worst, fabs(s - 1));
        }
        CHECK(worst < 1e-9, "order %d: p(.|context) sums to 1 over the vocabulary (worst %.2g)", order, worst);
        loss[order] = ngram_loss_ids(g, &c.ids, c.n_train, c.n - c.n_train);
        if (order == 3) { /* the int-array form: the same sum */
            int *val = xmalloc((c.n - c.n_train) * sizeof *val);
            token_ids_copy(&c.ids, c.n_train, c.n - c.n_train, val);
            double as_ints = ngram_loss(g, val, c.n - c.n_train);
            CHECK(as_ints == loss[3], "ngram_loss over ints equals ngram_loss_ids (%.17g vs %.17g)", as_ints, loss[3]);
            free(val);
        }
        printf("NOTE order %d validation loss %.4f nats/token\n", order, loss[order]);
        ngram_free(g);
    }
    CHECK(loss[3] < loss[2] && loss[2] < loss[1] && loss[1] < log(c.tok.vocab_size),
          "more context lowers the validation loss: %.3f < %.3f < %.3f < ln V", loss[3], loss[2], loss[1]);
    double held = 0;
    int hrc = ngram_holdout_loss(&c.ids, c.n_train, 3, c.tok.vocab_size, &held, &err);
    CHECK(hrc == 0 && held == loss[3],
          "ngram_holdout_loss is the order-3 model's validation loss (%.6f vs %.6f)", held, loss[3]);
    corpus_free(&c);
    return check_summary();
}
