/* test_corpus.c — corpus loading (errors, splits, fixed vocabularies) and
 * truncated-BPTT batching (exact chunks, epoch wrap, too-short splits). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "corpus.h"

static char tmpdir[64];

static const char *write_file(const char *name, const char *data, size_t len)
{
    /* A few rotating buffers so several returned paths stay valid at once. */
    static char paths[4][128];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_load_errors(void)
{
    Corpus c;
    Err err;
    char path[128];
    snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
    err_clear(&err);
    int rc = corpus_load(&c, path, TOK_CHAR, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_INPUT && strncmp(err.msg, path, strlen(path)) == 0 &&
              strstr(err.msg, "No such file"),
          "missing file: \"%s\"", err.msg);

    const char *p = write_file("empty.txt", "", 0);
    rc = corpus_load(&c, p, TOK_CHAR, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, p) && strstr(err.msg, "empty"), "empty file: \"%s\"",
          err.msg);

    rc = corpus_load(&c, tmpdir, TOK_BYTE, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, tmpdir) && strstr(err.msg, "directory"),
          "a directory: \"%s\"", err.msg);

    p = write_file("bad.txt", "First line\nthen \xe4\xbd\xa0 and \xed\xa0\x80.", 28);
    rc = corpus_load(&c, p, TOK_CHAR, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, p) && strstr(err.msg, "byte offset 24 ") &&
              strstr(err.msg, "--tokenizer byte"),
          "invalid UTF-8 under char: \"%s\"", err.msg);
    rc = corpus_load(&c, p, TOK_WORD, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "byte offset 24 "), "invalid UTF-8 under word: \"%s\"",
          err.msg);
    rc = corpus_load(&c, p, TOK_BYTE, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_OK && c.n == 28 && c.tok.vocab_size == 256, "the same file loads under byte");
    corpus_free(&c);

    p = write_file("ok.txt", "abc", 3);
    float bad_fracs[] = { 0.7f, -0.1f, NAN };
    for (int i = 0; i < 3; i++) {
        rc = corpus_load(&c, p, TOK_CHAR, 0, bad_fracs[i], NULL, &err);
        CHECK(rc == ERR_INPUT && strstr(err.msg, "--val-frac"), "val_frac %g rejected: \"%s\"",
              (double)bad_fracs[i], err.msg);
    }
}

static void test_load_split(void)
{
    char text[1000];
    for (int i = 0; i < 1000; i++)
        text[i] = (char)('a' + (i * 7) % 26);
    const char *p = write_file("split.txt", text, sizeof text);
    Corpus c;
    Err err;
    err_clear(&err);
    int rc = corpus_load(&c, p, TOK_CHAR, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_OK && c.n == 1000 && c.n_train == 900, "val_frac 0.1 of 1000 leaves 900 for training (%zu)",
          c.n_train);
    CHECK(rc == ERR_OK && strcmp(c.path, p) == 0 && c.tok.vocab_size == 26, "path kept, 26 letters");
    int ids_ok = rc == ERR_OK;
    for (int i = 0; ids_ok && i < 1000; i++)
        ids_ok = c.ids[i] == (i * 7) % 26;
    CHECK(ids_ok, "char ids follow code point order ('a' = 0)");

    /* The validation split batches from base = n_train. */
    Batcher v;
    rc = batcher_init(&v, c.n - c.n_train, c.n_train, 4, 10, c.path, &err);
    CHECK(rc == ERR_OK && v.seg_len == 24 && v.chunks_per_epoch == 2, "val batcher: seg_len 24, 2 chunks");
    int x[40], y[40];
    batcher_next(&v, c.ids, x, y);
    CHECK(x[0] == c.ids[900] && x[1] == c.ids[924] && x[3] == c.ids[972] && y[39] == c.ids[972 + 10],
          "val chunk reads the ids after n_train");
    rc = batcher_init(&v, c.n - c.n_train, c.n_train, 10, 10, c.path, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, p) && strstr(err.msg, "100 validation tokens") &&
              strstr(err.msg, "--val-frac") && strstr(err.msg, "--batch 10") && strstr(err.msg, "--seq 10"),
          "val split too short names --val-frac: \"%s\"", err.msg);
    corpus_free(&c);

    rc = corpus_load(&c, p, TOK_CHAR, 0, 0.0f, NULL, &err);
    CHECK(rc == ERR_OK && c.n_train == 1000, "val_frac 0 trains on everything");
    corpus_free(&c);
    rc = corpus_load(&c, p, TOK_CHAR, 0, 0.5f, NULL, &err);
    CHECK(rc == ERR_OK && c.n_train == 500, "val_frac 0.5 is allowed");
    corpus_free(&c);
}

static void test_load_fixed(void)
{
    Corpus train, c;
    Err err;
    const char *p = write_file("train.txt", "the cat sat on the mat\n", 23);
    int rc = corpus_load(&train, p, TOK_WORD, 0, 0.0f, NULL, &err);
    CHECK(rc == ERR_OK && train.tok.unk_id == 0, "word corpus loads");
    const char *q = write_file("eval.txt", "the dog sat\n", 12);
    rc = corpus_load(&c, q, TOK_CHAR /* ignored */, 0, 0.0f, &train.tok, &err);
    CHECK(rc == ERR_OK && c.tok.type == TOK_WORD && c.n == 6 && c.n_unknown == 1 && c.ids[2] == 0 &&
              c.ids[0] == tokenizer_lookup(&train.tok, "the", 3),
          "fixed word vocabulary maps dog to <unk>");
    corpus_free(&c);
    corpus_free(&train);

    rc = corpus_load(&train, p, TOK_CHAR, 0, 0.0f, NULL, &err);
    CHECK(rc == ERR_OK, "char corpus loads");
    q = write_file("eval2.txt", "the cat\xc3\xa9!", 10);
    rc = corpus_load(&c, q, TOK_CHAR, 0, 0.0f, &train.tok, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, q) && strstr(err.msg, "U+00E9") &&
              strstr(err.msg, "byte offset 7 ") && strstr(err.msg, "checkpoint's vocabulary"),
          "fixed char vocabulary rejects an unknown char: \"%s\"", err.msg);
    CHECK(c.ids == NULL && c.path == NULL, "a failed load leaves an empty corpus");
    q = write_file("eval3.txt", "tame cat\n", 9);
    rc = corpus_load(&c, q, TOK_CHAR, 0, 0.0f, &train.tok, &err);
    CHECK(rc == ERR_OK && c.n == 9 && c.tok.vocab_size == train.tok.vocab_size &&
              c.ids[0] == train.ids[0],
          "fixed char vocabulary encodes known text");
    corpus_free(&c);
    corpus_free(&train);
}

static void test_batcher(void)
{
    enum { N = 23, B = 2, T = 3 };
    int ids[N];
    for (int i = 0; i < N; i++)
        ids[i] = 100 + i;
    Batcher b;
    Err err;
    err_clear(&err);
    int rc = batcher_init(&b, N, 0, B, T, "seq.txt", &err);
    CHECK(rc == ERR_OK && b.seg_len == 11 && b.chunks_per_epoch == 3,
          "23 tokens, B=2: seg_len 11, 3 chunks of T=3 (%zu, %ld)", b.seg_len, b.chunks_per_epoch);
    int x[B * T], y[B * T];
    /* Segments start at ids 0 and 11; time-major x[t*B + b]. */
    static const int x0[B * T] = { 100, 111, 101, 112, 102, 113 };
    static const int y0[B * T] = { 101, 112, 102, 113, 103, 114 };
    static const int x2[B * T] = { 106, 117, 107, 118, 108, 119 };
    static const int y2[B * T] = { 107, 118, 108, 119, 109, 120 };
    int r0 = batcher_next(&b, ids, x, y);
    CHECK(r0 == 1 && memcmp(x, x0, sizeof x) == 0 && memcmp(y, y0, sizeof y) == 0,
          "chunk 0 exact x/y, starts an epoch");
    CHECK(fabs(batcher_epoch_progress(&b) - 1.0 / 3) < 1e-12, "progress 1/3 after one chunk");
    int r1 = batcher_next(&b, ids, x, y);
    CHECK(r1 == 0 && x[0] == 103 && x[1] == 114 && y[5] == 117, "chunk 1 continues, no reset");
    int r2 = batcher_next(&b, ids, x, y);
    CHECK(r2 == 0 && memcmp(x, x2, sizeof x) == 0 && memcmp(y, y2, sizeof y) == 0,
          "chunk 2 exact x/y (last of the epoch)");
    CHECK(b.epoch == 0 && fabs(batcher_epoch_progress(&b) - 1.0) < 1e-12, "progress 1.0 at epoch end");
    int r3 = batcher_next(&b, ids, x, y);
    CHECK(r3 == 1 && b.epoch == 1 && memcmp(x, x0, sizeof x) == 0 && memcmp(y, y0, sizeof y) == 0,
          "chunk 3 wraps: epoch 1, reset, same as chunk 0");
    CHECK(fabs(batcher_epoch_progress(&b) - (1.0 + 1.0 / 3)) < 1e-12, "progress 4/3");
    for (int k = 0; k < 5; k++)
        batcher_next(&b, ids, x, y);
    CHECK(b.epoch == 2 && b.pos == 9, "after 9 chunks: epoch 2, pos 9");

    /* Never reads past the end, for every size near the minimum. */
    int big[40];
    for (int i = 0; i < 40; i++)
        big[i] = i;
    int in_range = 1, tried = 0;
    for (int n = 8; n <= 40; n++) {
        Batcher c;
        if (batcher_init(&c, (size_t)n, 0, 2, 3, "s", NULL) != ERR_OK)
            continue;
        for (long k = 0; k < 2 * c.chunks_per_epoch + 1; k++) {
            batcher_next(&c, big, x, y);
            tried++;
            for (int i = 0; i < B * T; i++)
                if (y[i] >= n || x[i] < 0 || y[i] != x[i] + 1)
                    in_range = 0;
        }
    }
    CHECK(in_range && tried > 0, "batches stay inside n tokens for n = 8..40 (%d chunks)", tried);

    rc = batcher_init(&b, 7, 0, 2, 3, "seq.txt", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "seq.txt: 7 training tokens are too few for --batch 2 x --seq 3") &&
              strstr(err.msg, "lower --batch or --seq") && strstr(err.msg, "need at least 8"),
          "too short: \"%s\"", err.msg);
    rc = batcher_init(&b, 8, 0, 2, 3, "seq.txt", &err);
    CHECK(rc == ERR_OK && b.chunks_per_epoch == 1, "B*(T+1) = 8 tokens give one chunk");
    rc = batcher_init(&b, 100, 0, 0, 3, "seq.txt", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "--batch 0"), "batch 0 rejected: \"%s\"", err.msg);
    rc = batcher_init(&b, 100, 0, 2, -1, "seq.txt", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "--seq -1"), "seq -1 rejected: \"%s\"", err.msg);
}

static void test_shakespeare(void)
{
    const char *root = getenv("RNNSCOPE_TESTS");
    char path[1024];
    snprintf(path, sizeof path, "%s/../../shared/corpora/tinyshakespeare.txt", root ? root : "tests");
    if (access(path, R_OK) != 0) {
        printf("NOTE skipped: %s not found, tinyshakespeare vocabulary not checked\n", path);
        return;
    }
    Corpus c;
    Err err;
    err_clear(&err);
    double t0 = now_ms();
    int rc = corpus_load(&c, path, TOK_CHAR, 0, 0.1f, NULL, &err);
    double t1 = now_ms();
    CHECK(rc == ERR_OK && c.tok.vocab_size == 65 && c.n == 1115394,
          "tinyshakespeare char vocab is 65 symbols, 1115394 tokens (%d, %zu; %.1f ms)",
          c.tok.vocab_size, c.n, t1 - t0);
    corpus_free(&c);
    t0 = now_ms();
    rc = corpus_load(&c, path, TOK_WORD, 0, 0.1f, NULL, &err);
    t1 = now_ms();
    CHECK(rc == ERR_OK && c.tok.vocab_size > 10000 && c.n > 300000,
          "tinyshakespeare word vocab %d, %zu tokens (%.1f ms)", c.tok.vocab_size, c.n, t1 - t0);
    corpus_free(&c);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rnnscope_corpus_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_load_errors();
    test_load_split();
    test_load_fixed();
    test_batcher();
    test_shakespeare();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("NOTE could not remove %s\n", tmpdir);
    return check_summary();
}
