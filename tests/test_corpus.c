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

#define ID(c, i) token_ids_get(&(c).ids, (i))

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
        ids_ok = token_ids_get(&c.ids, (size_t)i) == (i * 7) % 26;
    CHECK(ids_ok, "char ids follow code point order ('a' = 0)");

    /* The validation split batches from base = n_train. */
    Batcher v;
    rc = batcher_init(&v, c.n - c.n_train, c.n_train, 4, 10, c.path, &err);
    CHECK(rc == ERR_OK && v.seg_len == 24 && v.chunks_per_epoch == 2, "val batcher: seg_len 24, 2 chunks");
    int x[40], y[40];
    batcher_next(&v, &c.ids, x, y);
    CHECK(x[0] == ID(c, 900) && x[1] == ID(c, 924) && x[3] == ID(c, 972) && y[39] == ID(c, 972 + 10),
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
    CHECK(rc == ERR_OK && c.tok.type == TOK_WORD && c.n == 6 && c.n_unknown == 1 && ID(c, 2) == 0 &&
              ID(c, 0) == tokenizer_lookup(&train.tok, "the", 3),
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
    CHECK(c.ids.data == NULL && c.ids.n == 0 && c.path == NULL, "a failed load leaves an empty corpus");
    q = write_file("eval3.txt", "tame cat\n", 9);
    rc = corpus_load(&c, q, TOK_CHAR, 0, 0.0f, &train.tok, &err);
    CHECK(rc == ERR_OK && c.n == 9 && c.tok.vocab_size == train.tok.vocab_size &&
              ID(c, 0) == ID(train, 0),
          "fixed char vocabulary encodes known text");
    corpus_free(&c);
    corpus_free(&train);
}

/* ids[0..n) as a token id array for a vocabulary of vocab tokens */
static TokenIds ids_of(const int *ids, size_t n, int vocab)
{
    TokenIds a;
    token_ids_init(&a, vocab);
    token_ids_push(&a, ids, n, 0);
    return a;
}

static void test_batcher(void)
{
    enum { N = 23, B = 2, T = 3 };
    int raw[N];
    for (int i = 0; i < N; i++)
        raw[i] = 100 + i;
    TokenIds ids_1 = ids_of(raw, N, 123), *ids = &ids_1;
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
    int big_raw[40];
    for (int i = 0; i < 40; i++)
        big_raw[i] = i;
    TokenIds big_ids = ids_of(big_raw, 40, 40), *big = &big_ids;
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
    token_ids_free(big);

    /* The same chunks whatever the width the ids are stored in. */
    int same = ids_1.width == 1;
    for (int vocab = 300; vocab <= 70000; vocab += 69700) {
        TokenIds wide = ids_of(raw, N, vocab);
        Batcher b1, b2;
        batcher_init(&b1, N, 0, B, T, "seq.txt", NULL);
        batcher_init(&b2, N, 0, B, T, "seq.txt", NULL);
        int x1[B * T], y1[B * T];
        same &= wide.width == (vocab == 300 ? 2 : 4);
        for (int k = 0; k < 7; k++) {
            same &= batcher_next(&b1, ids, x, y) == batcher_next(&b2, &wide, x1, y1);
            same &= memcmp(x, x1, sizeof x) == 0 && memcmp(y, y1, sizeof y) == 0;
        }
        token_ids_free(&wide);
    }
    CHECK(same, "ids in 1, 2 or 4 bytes give the same chunks");
    token_ids_free(ids);

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

/* The text of the streaming tests: multi-byte characters of every length,
 * words longer than the smallest blocks, runs of punctuation. */
static size_t stream_text(char *out, size_t cap)
{
    static const char *const parts[] = {
        "The keeper's lamp ", "h\xc3\xa9llo w\xc3\xb6rld, ", "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c ",
        "caf\xc3\xa9\xc3\xa9\xc3\xa9 ", "\xf0\x9f\x98\x80\xf0\x9f\x98\x81!", "\n\n", "a ",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\xc3\xa9\xc3\xa9xyz ", "x\xe2\x80\x94y ", "42.5 ",
        "\xce\xb1\xce\xb2\xce\xb3\xce\xb4 ", "---", "the ", "the\t",
    };
    size_t n = 0, k = 0;
    unsigned r = 7;
    while (n + 200 < cap) {
        r = r * 1103515245u + 12345u;
        const char *s = parts[(r >> 16) % (sizeof parts / sizeof *parts)];
        size_t len = strlen(s);
        memcpy(out + n, s, len);
        n += len;
        if (++k == 40) /* one word far longer than a small block */
            for (int i = 0; i < 150; i++)
                out[n++] = (char)('a' + i % 26);
    }
    return n;
}

static int same_vocab(const Tokenizer *a, const Tokenizer *b)
{
    if (a->type != b->type || a->vocab_size != b->vocab_size || a->unk_id != b->unk_id)
        return 0;
    for (int i = 0; i < a->vocab_size; i++)
        if (a->token_len[i] != b->token_len[i] || memcmp(a->tokens[i], b->tokens[i], (size_t)a->token_len[i]) != 0)
            return 0;
    return 1;
}

/* corpus_load through blocks of every small size gives what the one-piece
 * tokenizer gives on the whole text: vocabulary, ids, unknown counts, and the
 * same error message. */
static void test_streaming(void)
{
    static char text[6000];
    size_t len = stream_text(text, sizeof text);
    char p[128];
    snprintf(p, sizeof p, "%s", write_file("stream.txt", text, len));
    static const size_t blocks[] = { 16, 17, 18, 19, 21, 24, 29, 37, 64, 151, 1000, (size_t)1 << 20 };
    static const TokType types[] = { TOK_CHAR, TOK_WORD, TOK_BYTE };
    int all_same = 1, tried = 0;
    for (size_t t = 0; t < 3; t++) {
        int max_vocab = types[t] == TOK_WORD ? 20 : 0;
        Tokenizer ref;
        Err err;
        int *ids = NULL;
        size_t n = 0;
        if (tokenizer_build(&ref, types[t], text, len, max_vocab, p, &err) ||
            tokenizer_encode(&ref, text, len, &ids, &n, NULL, NULL, p, &err)) {
            CHECK(0, "reference encoding of stream.txt (%s)", err.msg);
            return;
        }
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            corpus_set_block(blocks[b]);
            Corpus c;
            int ok = corpus_load(&c, p, types[t], max_vocab, 0.0f, NULL, &err) == ERR_OK;
            ok = ok && same_vocab(&c.tok, &ref) && c.n == n && c.ids.n == n;
            for (size_t i = 0; ok && i < n; i++)
                ok = ID(c, i) == ids[i];
            if (!ok)
                printf("NOTE %s, block %zu: differs (%s)\n", tok_name(types[t]), blocks[b], err.msg);
            all_same &= ok;
            tried++;
            corpus_free(&c);
        }
        free(ids);
        tokenizer_free(&ref);
    }
    CHECK(all_same, "char, word and byte corpora read through %d block sizes from 16 bytes equal the whole-text "
          "tokenizer", tried);

    /* invalid UTF-8 at every offset near block boundaries: the same message */
    int msg_same = 1;
    for (size_t at = 1000; at < 1040; at += 3) {
        char bad[6000];
        memcpy(bad, text, len);
        bad[at] = (char)0xC3; /* a lead byte, then whatever follows */
        bad[at + 1] = (char)(at % 2 ? 0x28 : 0xFF);
        const char *q = write_file("bad_stream.txt", bad, len);
        for (size_t t = 0; t < 2; t++) {
            Tokenizer ref;
            Err want, got;
            err_clear(&want);
            err_clear(&got);
            tokenizer_build(&ref, types[t], bad, len, 0, q, &want);
            for (size_t b = 0; b < 6; b++) {
                corpus_set_block(blocks[b]);
                Corpus c;
                int rc = corpus_load(&c, q, types[t], 0, 0.0f, NULL, &got);
                if (rc != ERR_INPUT || strcmp(got.msg, want.msg) != 0 || !strstr(want.msg, "byte offset")) {
                    printf("NOTE block %zu: \"%s\" vs \"%s\"\n", blocks[b], got.msg, want.msg);
                    msg_same = 0;
                }
            }
            tokenizer_free(&ref);
        }
    }
    CHECK(msg_same, "invalid UTF-8 near block boundaries: the whole-text message, offset included");

    /* a fixed vocabulary that lacks some characters and words */
    const char *small = write_file("small.txt", "The keeper's lamp the a\n", 24);
    int fixed_same = 1;
    for (size_t t = 0; t < 2; t++) {
        Corpus train;
        Err err, first;
        corpus_set_block((size_t)1 << 20);
        if (corpus_load(&train, small, types[t], 0, 0.0f, NULL, &err)) {
            CHECK(0, "small corpus loads (%s)", err.msg);
            return;
        }
        int *ids = NULL;
        size_t n = 0, unknown = 0, first_unknown = 0;
        tokenizer_encode(&train.tok, text, len, &ids, &n, &unknown, &first_unknown, p, &err);
        char want_at[64], want_count[64];
        snprintf(want_at, sizeof want_at, "at byte offset %zu is not", first_unknown);
        snprintf(want_count, sizeof want_count, "(%zu such characters)", unknown);
        err_clear(&first);
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            corpus_set_block(blocks[b]);
            Corpus c;
            err_clear(&err);
            int rc = corpus_load(&c, p, types[t], 0, 0.0f, &train.tok, &err);
            if (types[t] == TOK_CHAR) {
                fixed_same &= rc == ERR_INPUT && strstr(err.msg, want_at) && strstr(err.msg, want_count) &&
                              (b == 0 || strcmp(err.msg, first.msg) == 0);
                if (b == 0)
                    first = err;
            } else {
                fixed_same &= rc == ERR_OK && c.n == n && c.n_unknown == unknown && unknown > 0;
                for (size_t i = 0; rc == ERR_OK && i < n; i++)
                    fixed_same &= ID(c, i) == ids[i];
            }
            corpus_free(&c);
        }
        free(ids);
        corpus_free(&train);
    }
    CHECK(fixed_same, "a fixed vocabulary through small blocks: every <unk> counted; under char the first unknown "
          "character's offset and the count of all of them");
    corpus_set_block((size_t)1 << 20);
}

/* Ids take 1 byte up to 256 tokens, 2 up to 65,536, else 4. */
static void test_widths(void)
{
    CHECK(token_ids_width(1) == 1 && token_ids_width(256) == 1 && token_ids_width(257) == 2 &&
              token_ids_width(65536) == 2 && token_ids_width(65537) == 4,
          "width 1 to 256 tokens, 2 to 65536, then 4");
    /* 70,000 distinct words: a vocabulary above 65,536 */
    size_t cap = 70000 * 8, len = 0;
    char *text = xmalloc(cap);
    for (int i = 0; i < 70000; i++)
        len += (size_t)snprintf(text + len, cap - len, "w%d ", i);
    const char *p = write_file("many_words.txt", text, len);
    Corpus c;
    Err err;
    int rc = corpus_load(&c, p, TOK_WORD, 0, 0.1f, NULL, &err);
    int *ids = NULL;
    size_t n = 0;
    tokenizer_encode(&c.tok, text, len, &ids, &n, NULL, NULL, p, &err);
    int ok = rc == ERR_OK && c.ids.width == 4 && c.n == n && token_ids_bytes(&c.ids) == 4 * n;
    for (size_t i = 0; ok && i < n; i++)
        ok = ID(c, i) == ids[i];
    CHECK(ok, "a word vocabulary of %d takes 4 bytes an id, ids as the tokenizer's", c.tok.vocab_size);
    corpus_free(&c);
    rc = corpus_load(&c, p, TOK_WORD, 10000, 0.1f, NULL, &err);
    CHECK(rc == ERR_OK && c.ids.width == 2 && token_ids_bytes(&c.ids) == 2 * c.n, "--max-vocab 10000: 2 bytes an id");
    corpus_free(&c);
    rc = corpus_load(&c, p, TOK_CHAR, 0, 0.1f, NULL, &err);
    CHECK(rc == ERR_OK && c.ids.width == 1 && token_ids_bytes(&c.ids) == len, "char: 1 byte an id (%zu bytes)",
          token_ids_bytes(&c.ids));
    corpus_free(&c);
    free(ids);
    free(text);
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
    rc = corpus_load(&c, path, TOK_WORD, 10000, 0.1f, NULL, &err);
    CHECK(rc == ERR_OK && c.ids.width == 2 && c.tok.vocab_size == 10000, "tinyshakespeare words, --max-vocab 10000: "
          "2 bytes an id");
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
    test_streaming();
    test_widths();
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
