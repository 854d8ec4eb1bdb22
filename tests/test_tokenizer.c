/* test_tokenizer.c — utf8, char/byte/word tokenizers: round trips, vocabulary
 * order, invalid UTF-8 offsets, unknown tokens, <unk>, display escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "tokenizer.h"
#include "utf8.h"

/* Concatenate the decoded tokens; caller frees. */
static char *decode_all(const Tokenizer *t, const int *ids, size_t n, size_t *len)
{
    size_t cap = 16, pos = 0;
    char *out = malloc(cap);
    for (size_t i = 0; i < n; i++) {
        size_t need = tokenizer_decode(t, ids[i], NULL, 0);
        while (pos + need + 1 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        tokenizer_decode(t, ids[i], out + pos, cap - pos);
        pos += need;
    }
    *len = pos;
    return out;
}

static int round_trips(const Tokenizer *t, const char *text, size_t len)
{
    Err err;
    int *ids = NULL;
    size_t n = 0, unk = 99, first = 0;
    err_clear(&err);
    if (tokenizer_encode(t, text, len, &ids, &n, &unk, &first, "rt", &err) != ERR_OK)
        return 0;
    size_t dlen;
    char *back = decode_all(t, ids, n, &dlen);
    int ok = dlen == len && memcmp(back, text, len) == 0 && unk == 0 && first == SIZE_MAX;
    free(back);
    free(ids);
    return ok;
}

static void test_names(void)
{
    TokType t = TOK_BYTE;
    CHECK(tok_parse("char", &t) == 0 && t == TOK_CHAR, "tok_parse char");
    CHECK(tok_parse("word", &t) == 0 && t == TOK_WORD, "tok_parse word");
    CHECK(tok_parse("byte", &t) == 0 && t == TOK_BYTE, "tok_parse byte");
    CHECK(tok_parse("bpe", &t) != 0, "tok_parse rejects bpe");
    CHECK(strcmp(tok_name(TOK_WORD), "word") == 0 && strcmp(tok_name(TOK_CHAR), "char") == 0,
          "tok_name");
}

static void test_utf8_boundaries(void)
{
    static const uint32_t cps[] = { 0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD,
                                    0xFFFF, 0x10000, 0x1F600, 0x10FFFF };
    int ok = 1;
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char buf[4];
        uint32_t back = 0xFFFFFFFF;
        int k = utf8_encode(cps[i], buf);
        int expect = cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 : cps[i] < 0x10000 ? 3 : 4;
        if (k != expect || utf8_decode((unsigned char *)buf, (size_t)k, &back, NULL) != k ||
            back != cps[i])
            ok = 0;
    }
    CHECK(ok, "utf8 encode/decode round trip at the length boundaries and U+10FFFF");
}

static void test_char(void)
{
    Err err;
    Tokenizer t;
    const char *text = "hello w\xc3\xb6rld \xe4\xbd\xa0\xe5\xa5\xbd\n\xf0\x9f\x98\x80!"; /* ö 你好 😀 */
    err_clear(&err);
    int rc = tokenizer_build(&t, TOK_CHAR, text, strlen(text), 0, "mini.txt", &err);
    CHECK(rc == ERR_OK, "char build on mixed text (%s)", err.msg);
    /* distinct: \n ' ' ! d e h l o r w ö 你 好 😀 = 14 */
    CHECK(t.vocab_size == 14, "char vocab has 14 code points (got %d)", t.vocab_size);
    CHECK(t.unk_id == -1, "char has no unk id");
    CHECK(t.token_len[0] == 1 && t.tokens[0][0] == '\n', "id 0 is the lowest code point, newline");
    CHECK(t.token_len[13] == 4 && memcmp(t.tokens[13], "\xf0\x9f\x98\x80", 4) == 0,
          "last id is the highest code point (U+1F600)");
    int order_ok = 1;
    for (int i = 1; i < t.vocab_size; i++) {
        uint32_t a, b;
        utf8_decode((unsigned char *)t.tokens[i - 1], (size_t)t.token_len[i - 1], &a, NULL);
        utf8_decode((unsigned char *)t.tokens[i], (size_t)t.token_len[i], &b, NULL);
        if (!(a < b))
            order_ok = 0;
    }
    CHECK(order_ok, "char ids are in increasing code point order");
    CHECK(round_trips(&t, text, strlen(text)), "char encode/decode round trip");
    CHECK(tokenizer_lookup(&t, "\xe5\xa5\xbd", 3) >= 0, "lookup finds 好");

    /* Unknown characters under char are skipped and counted. */
    int *ids = NULL;
    size_t n = 0, unk = 0, first = 0;
    const char *other = "hex \xc3\xa9l\xc3\xa9";  /* x, é, é are unknown */
    rc = tokenizer_encode(&t, other, strlen(other), &ids, &n, &unk, &first, "other.txt", &err);
    CHECK(rc == ERR_OK && unk == 3 && first == 2 && n == 4,
          "char encode skips 3 unknown chars, first at byte 2 (unk=%zu first=%zu n=%zu)", unk,
          first, n);
    CHECK(n == 4 && ids[0] == tokenizer_lookup(&t, "h", 1) && ids[1] == tokenizer_lookup(&t, "e", 1) &&
              ids[2] == tokenizer_lookup(&t, " ", 1) && ids[3] == tokenizer_lookup(&t, "l", 1),
          "char encode keeps the known characters in order");
    free(ids);
    tokenizer_free(&t);
}

static void test_chinese(void)
{
    /* Random text over ~5000 distinct code points from the BMP CJK block and
     * the supplementary planes, plus ASCII. */
    Rng rng;
    rng_seed(&rng, 42);
    size_t cap = 200000 * 4, len = 0;
    char *text = malloc(cap);
    uint8_t *used = calloc(0x110000, 1);
    int distinct = 0;
    for (int i = 0; i < 200000; i++) {
        uint32_t cp;
        uint32_t r = rng_below(&rng, 10);
        if (r < 6)
            cp = 0x4E00 + rng_below(&rng, 3000);
        else if (r < 7)
            cp = 0x20000 + rng_below(&rng, 1000);
        else if (r < 8)
            cp = 0x10FFF0 + rng_below(&rng, 16);
        else
            cp = 0x20 + rng_below(&rng, 95);
        if (!used[cp]) {
            used[cp] = 1;
            distinct++;
        }
        len += (size_t)utf8_encode(cp, text + len);
    }
    Err err;
    Tokenizer t;
    err_clear(&err);
    int rc = tokenizer_build(&t, TOK_CHAR, text, len, 0, "zh.txt", &err);
    CHECK(rc == ERR_OK && t.vocab_size == distinct,
          "char vocab of Chinese/astral text has every distinct code point (%d vs %d)",
          t.vocab_size, distinct);
    CHECK(round_trips(&t, text, len), "char round trip of %zu bytes of CJK and astral text", len);
    tokenizer_free(&t);

    rc = tokenizer_build(&t, TOK_WORD, text, len, 0, "zh.txt", &err);
    CHECK(rc == ERR_OK, "word build on CJK text (%s)", err.msg);
    CHECK(rc == ERR_OK && round_trips(&t, text, len), "word round trip of CJK text");
    CHECK(rc == ERR_OK && tokenizer_lookup(&t, "\xe4\xb8\x80", 3) > 0,
          "an ideograph (U+4E00) is a token of its own");
    tokenizer_free(&t);
    free(used);
    free(text);
}

static void test_byte(void)
{
    Err err;
    Tokenizer t;
    char text[512];
    for (int i = 0; i < 512; i++)
        text[i] = (char)(255 - (i % 256));
    err_clear(&err);
    int rc = tokenizer_build(&t, TOK_BYTE, text, sizeof text, 0, "bin", &err);
    CHECK(rc == ERR_OK && t.vocab_size == 256 && t.unk_id == -1, "byte vocab is 256");
    CHECK(t.token_len[0] == 1 && t.tokens[0][0] == '\0' && t.token_len[0xE4] == 1 &&
              (unsigned char)t.tokens[0xE4][0] == 0xE4,
          "byte id = byte value, NUL has length 1");
    CHECK(round_trips(&t, text, sizeof text), "byte round trip incl. NUL and bytes >= 0x80");
    const char *bad = "ok\xff\xfe\xc0";
    CHECK(round_trips(&t, bad, 5), "byte round trip of invalid UTF-8");
    int *ids;
    size_t n;
    rc = tokenizer_encode(&t, bad, 5, &ids, &n, NULL, NULL, "bin", &err);
    CHECK(rc == ERR_OK && n == 5 && ids[2] == 0xFF && ids[4] == 0xC0, "byte ids are the byte values");
    free(ids);
    tokenizer_free(&t);
}

static void test_invalid_utf8(void)
{
    static const struct {
        const char *bytes;
        size_t len, offset;
        const char *why;
    } cases[] = {
        { "abc\xc0\xaf", 5, 3, "overlong" },           /* '/' in 2 bytes */
        { "ab\xe0\x80\xaf", 5, 2, "overlong" },        /* '/' in 3 bytes */
        { "a\xf0\x80\x80\xaf", 5, 1, "overlong" },     /* '/' in 4 bytes */
        { "x\xed\xa0\x80y", 5, 1, "surrogate" },       /* U+D800 */
        { "\xed\xbf\xbf", 3, 0, "surrogate" },         /* U+DFFF */
        { "12345\xf4\x90\x80\x80", 9, 5, "above U+10FFFF" },
        { "\xf5\x80\x80\x80", 4, 0, "above U+10FFFF" },
        { "\xe4\xbd\xa0\xe5\xa5", 5, 3, "truncated" }, /* 你 then half of 好 at EOF */
        { "ab\xe4\xbd" "c", 5, 2, "truncated" },       /* continuation missing midstream */
        { "hello\x80", 6, 5, "cannot start" },         /* lone continuation */
        { "\xc3\xa9\xff", 3, 2, "cannot start" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "at byte offset %zu ", cases[i].offset);
        Utf8Error why = UTF8_OK;
        size_t off = utf8_find_invalid(cases[i].bytes, cases[i].len, &why);
        CHECK(off == cases[i].offset && strstr(utf8_error_name(why), cases[i].why),
              "utf8_find_invalid case %zu: offset %zu (%s)", i, off, utf8_error_name(why));
        for (int type = TOK_CHAR; type <= TOK_WORD; type += 2) {
            Err err;
            Tokenizer t;
            err_clear(&err);
            int rc = tokenizer_build(&t, (TokType)type, cases[i].bytes, cases[i].len, 0, "bad.txt", &err);
            CHECK(rc == ERR_INPUT && err.code == ERR_INPUT && strstr(err.msg, want) &&
                      strncmp(err.msg, "bad.txt: invalid UTF-8", 22) == 0 &&
                      strstr(err.msg, "--tokenizer byte") && strstr(err.msg, cases[i].why),
                  "%s build case %zu: \"%s\"", tok_name((TokType)type), i, err.msg);
            if (rc == ERR_OK)
                tokenizer_free(&t);
        }
    }
    CHECK(utf8_find_invalid("plain \xe4\xbd\xa0", 9, NULL) == SIZE_MAX, "valid text has no invalid offset");

    /* Encoding with an existing vocabulary reports the offset too. */
    Err err;
    Tokenizer t;
    tokenizer_build(&t, TOK_CHAR, "abc", 3, 0, "v", &err);
    int *ids = NULL;
    size_t n = 0;
    err_clear(&err);
    int rc = tokenizer_encode(&t, "abcab\xed\xa0\x80", 8, &ids, &n, NULL, NULL, "enc.txt", &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "enc.txt") && strstr(err.msg, "byte offset 5 "),
          "char encode of a surrogate names source and offset 5: \"%s\"", err.msg);
    CHECK(ids == NULL, "failed encode leaves no ids");
    tokenizer_free(&t);
}

/* Split text with an unlimited word vocabulary and compare the tokens. */
static int word_split_is(const char *text, const char *const *want, int n_want)
{
    Err err;
    Tokenizer t;
    if (tokenizer_build(&t, TOK_WORD, text, strlen(text), 0, "w", &err) != ERR_OK)
        return 0;
    int *ids = NULL;
    size_t n = 0;
    int ok = tokenizer_encode(&t, text, strlen(text), &ids, &n, NULL, NULL, "w", &err) == ERR_OK &&
             n == (size_t)n_want;
    for (int i = 0; ok && i < n_want; i++)
        ok = (size_t)t.token_len[ids[i]] == strlen(want[i]) &&
             memcmp(t.tokens[ids[i]], want[i], strlen(want[i])) == 0;
    free(ids);
    tokenizer_free(&t);
    return ok;
}

static void test_word(void)
{
    const char *const w1[] = { "Hello", ",", " ", "world", "!", "\n", " ", " ", "don", "'", "t",
                               " ", "caf\xc3\xa9", "\xe2\x80\x94", "x2", "\t" };
    CHECK(word_split_is("Hello, world!\n  don't caf\xc3\xa9\xe2\x80\x94x2\t", w1, 16),
          "word split: letter/digit runs, punctuation and spaces alone, é joins, em dash alone");
    const char *const w2[] = { "\xe4\xbd\xa0", "\xe5\xa5\xbd", "\xef\xbc\x8c", "\xd0\xbc\xd0\xb8\xd1\x80",
                               "\xe3\x80\x82" };
    CHECK(word_split_is("\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xd0\xbc\xd0\xb8\xd1\x80\xe3\x80\x82", w2, 5),
          "word split: ideographs alone, fullwidth comma alone, Cyrillic word joined, 。 alone");

    Err err;
    Tokenizer t;
    const char *text = "a b a c b a";  /* ' ' x5, a x3, b x2, c x1 */
    err_clear(&err);
    int rc = tokenizer_build(&t, TOK_WORD, text, strlen(text), 3, "w.txt", &err);
    CHECK(rc == ERR_OK && t.vocab_size == 3, "word max_vocab 3 keeps 3 entries incl. <unk> (got %d)",
          t.vocab_size);
    CHECK(t.unk_id == 0 && strcmp(t.tokens[0], "<unk>") == 0, "word id 0 is <unk>");
    CHECK(t.vocab_size == 3 && strcmp(t.tokens[1], " ") == 0 && strcmp(t.tokens[2], "a") == 0,
          "word ids by frequency: ' ' then 'a'");
    int *ids;
    size_t n, unk, first;
    rc = tokenizer_encode(&t, "a b", 3, &ids, &n, &unk, &first, "w.txt", &err);
    CHECK(rc == ERR_OK && n == 3 && ids[0] == 2 && ids[1] == 1 && ids[2] == 0,
          "word encode maps b to <unk>");
    CHECK(unk == 1 && first == 2, "word encode counts 1 unknown at byte 2 (%zu at %zu)", unk, first);
    char buf[16];
    CHECK(tokenizer_decode(&t, 0, buf, sizeof buf) == 5 && strcmp(buf, "<unk>") == 0,
          "decoding <unk> gives \"<unk>\"");
    free(ids);
    tokenizer_free(&t);

    /* Ties: equal counts are ordered by first occurrence. */
    rc = tokenizer_build(&t, TOK_WORD, "zeta alpha mid", 14, 0, "w", &err);
    CHECK(rc == ERR_OK && t.vocab_size == 5 && strcmp(t.tokens[1], " ") == 0 &&
              strcmp(t.tokens[2], "zeta") == 0 && strcmp(t.tokens[3], "alpha") == 0 &&
              strcmp(t.tokens[4], "mid") == 0,
          "word ties broken by first occurrence");
    tokenizer_free(&t);
    rc = tokenizer_build(&t, TOK_WORD, "a b", 3, 1, "w", &err);
    CHECK(rc == ERR_OK && t.vocab_size == 1, "word max_vocab 1 is just <unk>");
    tokenizer_free(&t);
    rc = tokenizer_build(&t, TOK_WORD, "a b", 3, -1, "w", &err);
    CHECK(rc == ERR_INPUT, "word max_vocab -1 is rejected");
}

static void test_from_vocab(void)
{
    Err err;
    Tokenizer t, u;
    const char *text = "na\xc3\xafve \xe4\xbd\xa0!";
    tokenizer_build(&t, TOK_CHAR, text, strlen(text), 0, "v", &err);
    err_clear(&err);
    int rc = tokenizer_from_vocab(&u, TOK_CHAR, t.tokens, t.vocab_size, &err);
    int same = rc == ERR_OK && u.vocab_size == t.vocab_size;
    for (int i = 0; same && i < t.vocab_size; i++)
        same = u.token_len[i] == t.token_len[i] && memcmp(u.tokens[i], t.tokens[i], (size_t)t.token_len[i]) == 0;
    CHECK(same, "char from_vocab reproduces the built vocabulary");
    CHECK(rc == ERR_OK && round_trips(&u, text, strlen(text)), "char from_vocab round trip");
    tokenizer_free(&u);
    tokenizer_free(&t);

    char *dup[] = { "a", "b", "a" };
    rc = tokenizer_from_vocab(&u, TOK_CHAR, dup, 3, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "entry 2 repeats entry 0"), "duplicate entry: \"%s\"", err.msg);
    char *multi[] = { "a", "bc" };
    rc = tokenizer_from_vocab(&u, TOK_CHAR, multi, 2, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "entry 1"), "char entry of two chars: \"%s\"", err.msg);
    char *nounk[] = { "the", " " };
    rc = tokenizer_from_vocab(&u, TOK_WORD, nounk, 2, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "<unk>"), "word vocab without <unk>: \"%s\"", err.msg);
    char *words[] = { "<unk>", " ", "the" };
    rc = tokenizer_from_vocab(&u, TOK_WORD, words, 3, &err);
    CHECK(rc == ERR_OK && u.unk_id == 0 && tokenizer_lookup(&u, "the", 3) == 2, "word from_vocab");
    tokenizer_free(&u);
    char *withnul[] = { "", "a" };
    rc = tokenizer_from_vocab(&u, TOK_CHAR, withnul, 2, &err);
    int *ids;
    size_t n;
    rc = rc || tokenizer_encode(&u, "a\0a", 3, &ids, &n, NULL, NULL, "v", &err);
    CHECK(rc == ERR_OK && n == 3 && ids[0] == 1 && ids[1] == 0 && ids[2] == 1,
          "empty vocab string stands for the NUL character");
    if (rc == ERR_OK)
        free(ids);
    tokenizer_free(&u);
    rc = tokenizer_from_vocab(&u, TOK_BYTE, NULL, 0, &err);
    CHECK(rc == ERR_OK && u.vocab_size == 256, "byte from_vocab ignores tokens");
    tokenizer_copy(&t, &u);
    CHECK(t.vocab_size == 256 && t.tokens[200] != u.tokens[200] && (unsigned char)t.tokens[200][0] == 200,
          "tokenizer_copy is deep");
    tokenizer_free(&t);
    tokenizer_free(&u);
}

static void test_display(void)
{
    Err err;
    Tokenizer t;
    char buf[32];
    const char *text = "a \n\t\x7f\x01\xc3\xa9\xc2\x85\xe4\xbd\xa0";
    tokenizer_build(&t, TOK_CHAR, text, strlen(text), 0, "d", &err);
    static const struct {
        const char *tok, *shown;
    } cases[] = {
        { "a", "a" }, { " ", "\xe2\x90\xa3" }, { "\n", "\xe2\x8f\x8e" }, { "\t", "\xe2\x87\xa5" },
        { "\x7f", "\\x7f" }, { "\x01", "\\x01" }, { "\xc3\xa9", "\xc3\xa9" },
        { "\xc2\x85", "\\x85" }, { "\xe4\xbd\xa0", "\xe4\xbd\xa0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int id = tokenizer_lookup(&t, cases[i].tok, strlen(cases[i].tok));
        size_t need = tokenizer_display(&t, id, buf, sizeof buf);
        CHECK(id >= 0 && need == strlen(cases[i].shown) && strcmp(buf, cases[i].shown) == 0,
              "display case %zu shows \"%s\"", i, buf);
    }
    tokenizer_free(&t);

    tokenizer_build(&t, TOK_BYTE, NULL, 0, 0, "d", &err);
    CHECK(tokenizer_display(&t, 0x80, buf, sizeof buf) == 4 && strcmp(buf, "\\x80") == 0,
          "byte 0x80 shows \\x80");
    CHECK(tokenizer_display(&t, 0, buf, sizeof buf) == 4 && strcmp(buf, "\\x00") == 0,
          "byte 0 shows \\x00");
    CHECK(tokenizer_display(&t, 'Q', buf, sizeof buf) == 1 && strcmp(buf, "Q") == 0, "byte Q shows Q");
    CHECK(tokenizer_display(&t, ' ', buf, sizeof buf) == 3 && strcmp(buf, "\xe2\x90\xa3") == 0,
          "byte space shows the space symbol");
    CHECK(tokenizer_display(&t, 999, buf, sizeof buf) == 0 && buf[0] == '\0', "bad id displays empty");
    tokenizer_free(&t);

    /* A long word shown into a short buffer: whole characters only. */
    tokenizer_build(&t, TOK_WORD, "\xe4\xbd\xa0 \nab", 7, 0, "d", &err);
    int id = tokenizer_lookup(&t, "\n", 1);
    CHECK(tokenizer_display(&t, id, buf, 3) == 3 && buf[0] == '\0',
          "display never writes half of a 3-byte symbol");
    id = tokenizer_lookup(&t, "ab", 2);
    CHECK(tokenizer_display(&t, id, buf, 2) == 2 && strcmp(buf, "a") == 0,
          "display of a word into a short buffer keeps the characters that fit");
    CHECK(tokenizer_decode(&t, t.unk_id, buf, 3) == 5 && strcmp(buf, "<u") == 0,
          "decode truncates like snprintf");
    tokenizer_free(&t);
}

/* utf8_next: the display loops' reader never stalls on bad bytes. */
static void test_utf8_next(void)
{
    const char s[] = "a\xe8\x8c\xb6\xff\xe8\x8c"; /* a, 茶, a stray byte, a truncated 3-byte sequence */
    size_t len = sizeof s - 1, i = 0;
    uint32_t got[8];
    size_t at[8];
    int n = 0;
    while (i < len && n < 8) {
        got[n] = utf8_next(s, len, &i);
        at[n++] = i;
    }
    CHECK(n == 5 && got[0] == 'a' && at[0] == 1 && got[1] == 0x8336 && at[1] == 4 && got[2] == 0xfffd &&
              at[2] == 5 && got[3] == 0xfffd && at[3] == 6 && got[4] == 0xfffd && at[4] == 7,
          "utf8_next: code points, and U+FFFD one byte at a time for bad bytes (%d read)", n);
}

int main(void)
{
    test_names();
    test_utf8_next();
    test_utf8_boundaries();
    test_char();
    test_chinese();
    test_byte();
    test_invalid_utf8();
    test_word();
    test_from_vocab();
    test_display();
    return check_summary();
}
