/* tokenizer.c — char, byte and word tokenizers (see tokenizer.h).
 *
 * Lookups go through one open-addressing hash table of token bytes -> id, so
 * encoding a file is linear in its size (tinyshakespeare, 1.1 MB, takes a few
 * milliseconds). The char vocabulary is collected in a bitmap over all code
 * points, which yields code point order for free.
 *
 * Word character classes, kept deliberately small:
 *   - word characters (runs of them form one token): ASCII letters and digits,
 *     and every code point >= U+0080 not listed below — so accented Latin,
 *     Greek, Cyrillic, Arabic, Hangul, combining marks... join words;
 *   - alone (each one its own token): everything else in ASCII (space,
 *     punctuation, controls), C1 controls U+0080..U+009F, Unicode spaces
 *     (U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F,
 *     U+3000), Latin-1 punctuation and symbols (U+00A1..U+00BF except
 *     ª µ º, and × ÷), General Punctuation U+2010..U+2027 and U+2030..U+205E,
 *     Supplemental Punctuation U+2E00..U+2E7F, CJK symbols and punctuation
 *     U+3001..U+303F, fullwidth ASCII punctuation (U+FF01..U+FF0F,
 *     U+FF1A..U+FF20, U+FF3B..U+FF40, U+FF5B..U+FF65), U+FEFF;
 *   - also alone: CJK ideographs (U+3400..U+4DBF, U+4E00..U+9FFF,
 *     U+F900..U+FAFF, U+20000..U+3FFFF) and kana (U+3040..U+30FF), because
 *     those scripts do not separate words with spaces and a "word" would
 *     otherwise be a whole sentence.
 */
#include "tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define TOK_MAX_CP 0x110000u

/* bytes a block keeps for the next (see tokenizer_next) */
#define TOKENIZER_LOOKAHEAD 4

int tok_parse(const char *s, TokType *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "char") == 0)
        *out = TOK_CHAR;
    else if (strcmp(s, "byte") == 0)
        *out = TOK_BYTE;
    else if (strcmp(s, "word") == 0)
        *out = TOK_WORD;
    else
        return -1;
    return 0;
}

const char *tok_name(TokType t)
{
    switch (t) {
    case TOK_CHAR: return "char";
    case TOK_BYTE: return "byte";
    case TOK_WORD: return "word";
    }
    return "?";
}

/* ---- hashing and the id table ------------------------------------------ */

static uint32_t tokenizer_hash(const char *s, size_t len)
{
    /* FNV-1a, then a final mix so the low bits used as the slot index depend
     * on every byte. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

static size_t tokenizer_pow2_at_least(size_t n)
{
    size_t p = 16;
    while (p < n)
        p *= 2;
    return p;
}

/* Insert id; returns the id already holding the same bytes, or -1. */
static int tokenizer_index_insert(Tokenizer *t, int id)
{
    size_t mask = t->n_slots - 1;
    size_t i = tokenizer_hash(t->tokens[id], (size_t)t->token_len[id]) & mask;
    while (t->slots[i] >= 0) {
        int o = t->slots[i];
        if (t->token_len[o] == t->token_len[id] &&
            memcmp(t->tokens[o], t->tokens[id], (size_t)t->token_len[id]) == 0)
            return o;
        i = (i + 1) & mask;
    }
    t->slots[i] = id;
    return -1;
}

/* Build the id table; returns -1, or the first id found to duplicate an
 * earlier one (*dup_of set to that earlier id). */
static int tokenizer_index_build(Tokenizer *t, int *dup_of)
{
    free(t->slots);
    t->n_slots = tokenizer_pow2_at_least(2 * (size_t)t->vocab_size + 1);
    t->slots = xmalloc(t->n_slots * sizeof *t->slots);
    for (size_t i = 0; i < t->n_slots; i++)
        t->slots[i] = -1;
    for (int id = 0; id < t->vocab_size; id++) {
        int o = tokenizer_index_insert(t, id);
        if (o >= 0) {
            if (dup_of)
                *dup_of = o;
            return id;
        }
    }
    return -1;
}

int tokenizer_lookup(const Tokenizer *t, const char *s, size_t len)
{
    if (t->type == TOK_BYTE)
        return len == 1 ? (unsigned char)s[0] : -1;
    if (!t->slots)
        return -1;
    size_t mask = t->n_slots - 1;
    size_t i = tokenizer_hash(s, len) & mask;
    while (t->slots[i] >= 0) {
        int o = t->slots[i];
        if ((size_t)t->token_len[o] == len && memcmp(t->tokens[o], s, len) == 0)
            return o;
        i = (i + 1) & mask;
    }
    return -1;
}

/* ---- construction ------------------------------------------------------- */

static void tokenizer_alloc(Tokenizer *t, TokType type, int v)
{
    memset(t, 0, sizeof *t);
    t->type = type;
    t->vocab_size = v;
    t->tokens = xcalloc((size_t)v, sizeof *t->tokens);
    t->token_len = xcalloc((size_t)v, sizeof *t->token_len);
    t->unk_id = -1;
}

static void tokenizer_set(Tokenizer *t, int id, const char *s, size_t len)
{
    t->tokens[id] = xmalloc(len + 1);
    memcpy(t->tokens[id], s, len);
    t->tokens[id][len] = '\0';
    t->token_len[id] = (int)len;
}

static void tokenizer_build_byte(Tokenizer *t)
{
    tokenizer_alloc(t, TOK_BYTE, 256);
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        tokenizer_set(t, b, &c, 1);
    }
}

/* bytes shown as \xNN, never raw: a message must not echo a file's bytes to the terminal */
static void tokenizer_hex_bytes(const unsigned char *b, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k + 5 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "\\x%02X", b[i]);
}

/* the source (a file name) with control bytes as \xNN, so the message stays one line */
static void tokenizer_safe_name(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            k += (size_t)snprintf(out + k, cap - k, "\\x%02X", c);
        else
            out[k++] = (char)c;
    }
    out[k] = '\0';
}

/* The error for invalid UTF-8 at byte offset off of the source; at holds the
 * avail bytes of the text from there on. */
static int tokenizer_bad_utf8(Err *err, const char *source, const char *at, size_t avail, size_t off,
                              Utf8Error why)
{
    char name[256], bytes[48];
    tokenizer_safe_name(source ? source : "text", name, sizeof name);
    size_t n = avail < 4 ? avail : 4;
    tokenizer_hex_bytes((const unsigned char *)at, n, bytes, sizeof bytes);
    return err_set(err, ERR_INPUT, "%s: invalid UTF-8 at byte offset %zu (%s; the bytes there: %s%s); "
                   "use --tokenizer byte", name, off, utf8_error_name(why), bytes, avail > n ? "..." : "");
}

/* ---- word splitting ----------------------------------------------------- */

static int tokenizer_cp_alone(uint32_t cp)
{
    if (cp < 0x80) {
        return !((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'));
    }
    if (cp <= 0xBF)
        return cp != 0xAA && cp != 0xB5 && cp != 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return 1;
    if (cp < 0x1680)
        return 0;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || (cp >= 0x2010 && cp <= 0x2029) ||
        (cp >= 0x202F && cp <= 0x205F) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
        (cp >= 0x3000 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) || cp == 0xFEFF ||
        (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
        (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
        (cp >= 0x20000 && cp <= 0x3FFFF))
        return 1;
    return 0;
}

/* Length of the word token starting at text[i] (i < len); *first is its first
 * code point. Returns 0 when the text at i is not valid UTF-8 (*why set). A
 * run of word characters stops before an invalid sequence, so the error is
 * reported at its own offset by the next call. */
static size_t tokenizer_word_span(const char *text, size_t len, size_t i, uint32_t *first,
                                  Utf8Error *why)
{
    const unsigned char *u = (const unsigned char *)text;
    uint32_t cp;
    int k = utf8_decode(u + i, len - i, &cp, why);
    if (k == 0)
        return 0;
    *first = cp;
    if (tokenizer_cp_alone(cp))
        return (size_t)k;
    size_t j = i + (size_t)k;
    while (j < len) {
        if (u[j] < 0x80) {
            if (tokenizer_cp_alone(u[j]))
                break;
            j++;
            continue;
        }
        k = utf8_decode(u + j, len - j, &cp, NULL);
        if (k == 0 || tokenizer_cp_alone(cp))
            break;
        j += (size_t)k;
    }
    return j - i;
}

/* The token at text[i] of a block of len bytes (i < len): returns 1 with its
 * length in *k and its first code point in *cp (char and word); -1 when the
 * text there is not valid UTF-8 (*why set); 0 when the block is not the last
 * and the token, or the error, could depend on bytes past the block (see
 * tokenizer.h), so the caller stops and carries text[i..len) over.
 * Why TOKENIZER_LOOKAHEAD bytes are enough: every decision reads one code point
 * (at most 4 bytes) at the token's start, inside it, or just after its end, and
 * an error message shows at most the 4 bytes at the offset and whether more
 * follow. */
static int tokenizer_next(TokType type, const char *text, size_t len, size_t i, int last, size_t *k,
                          uint32_t *cp, Utf8Error *why)
{
    const unsigned char *u = (const unsigned char *)text;
    if (!last && len - i <= TOKENIZER_LOOKAHEAD)
        return 0;
    size_t n;
    *cp = u[i];
    if (type == TOK_BYTE)
        n = 1;
    else if (type == TOK_CHAR)
        n = u[i] < 0x80 ? 1 : (size_t)utf8_decode(u + i, len - i, cp, why);
    else
        n = tokenizer_word_span(text, len, i, cp, why);
    if (n == 0)
        return -1;
    if (!last && len - i - n < TOKENIZER_LOOKAHEAD)
        return 0;
    *k = n;
    return 1;
}

typedef struct {
    size_t off;        /* the first occurrence, as a byte offset of the stream */
    size_t at, len;    /* the token's bytes: TokCounter.bytes[at .. at + len) */
    size_t count;
    uint32_t hash;
} WordCount;

struct TokCounter {
    TokType type;
    int max_vocab;
    uint32_t *seen;       /* char: (TOK_MAX_CP / 32) bitmap of the code points seen */
    size_t *slots;        /* word: (n_slots) index into words, SIZE_MAX = empty; a power of two */
    size_t n_slots;
    WordCount *words;     /* word: (cap_words) the distinct tokens, n_words of them */
    size_t n_words, cap_words;
    char *bytes;          /* word: (cap_bytes) the distinct tokens' bytes, one after another */
    size_t n_bytes, cap_bytes;
};

int tokenizer_counter_new(TokCounter **out, TokType type, int max_vocab, Err *err)
{
    *out = NULL;
    if (type != TOK_CHAR && type != TOK_BYTE && type != TOK_WORD)
        return err_set(err, ERR_INPUT, "unknown tokenizer type %d; use char, byte or word", (int)type);
    if (type == TOK_WORD && max_vocab < 0)
        return err_set(err, ERR_INPUT, "vocabulary limit %d is negative; use 0 for no limit", max_vocab);
    TokCounter *c = xcalloc(1, sizeof *c);
    c->type = type;
    c->max_vocab = max_vocab;
    if (type == TOK_CHAR)
        c->seen = xcalloc(TOK_MAX_CP / 32, sizeof *c->seen);
    if (type == TOK_WORD) {
        c->n_slots = 1024;
        c->slots = xmalloc(c->n_slots * sizeof *c->slots);
        for (size_t q = 0; q < c->n_slots; q++)
            c->slots[q] = SIZE_MAX;
        c->cap_words = 512;
        c->words = xmalloc(c->cap_words * sizeof *c->words);
        c->cap_bytes = 4096;
        c->bytes = xmalloc(c->cap_bytes);
    }
    *out = c;
    return ERR_OK;
}

void tokenizer_counter_free(TokCounter *c)
{
    if (!c)
        return;
    free(c->seen);
    free(c->slots);
    free(c->words);
    free(c->bytes);
    free(c);
}

/* Count one occurrence of the word token s[0..k) found at stream offset off. */
static void tokenizer_counter_word(TokCounter *c, const char *s, size_t k, size_t off)
{
    uint32_t h = tokenizer_hash(s, k);
    size_t q = h & (c->n_slots - 1);
    while (c->slots[q] != SIZE_MAX) {
        WordCount *w = &c->words[c->slots[q]];
        if (w->hash == h && w->len == k && memcmp(c->bytes + w->at, s, k) == 0) {
            w->count++;
            return;
        }
        q = (q + 1) & (c->n_slots - 1);
    }
    if (c->n_words == c->cap_words) {
        c->cap_words *= 2;
        c->words = xrealloc(c->words, c->cap_words * sizeof *c->words);
    }
    if (c->n_bytes + k > c->cap_bytes) {
        while (c->n_bytes + k > c->cap_bytes)
            c->cap_bytes *= 2;
        c->bytes = xrealloc(c->bytes, c->cap_bytes);
    }
    memcpy(c->bytes + c->n_bytes, s, k);
    c->words[c->n_words] = (WordCount){ .off = off, .at = c->n_bytes, .len = k, .count = 1, .hash = h };
    c->n_bytes += k;
    c->slots[q] = c->n_words++;
    if (2 * c->n_words > c->n_slots) {
        /* Grow by rehashing from the stored hashes. */
        free(c->slots);
        c->n_slots *= 2;
        c->slots = xmalloc(c->n_slots * sizeof *c->slots);
        for (size_t i = 0; i < c->n_slots; i++)
            c->slots[i] = SIZE_MAX;
        for (size_t w = 0; w < c->n_words; w++) {
            size_t i = c->words[w].hash & (c->n_slots - 1);
            while (c->slots[i] != SIZE_MAX)
                i = (i + 1) & (c->n_slots - 1);
            c->slots[i] = w;
        }
    }
}

int tokenizer_counter_feed(TokCounter *c, const char *text, size_t len, int last, size_t base, size_t *used,
                           const char *source, Err *err)
{
    size_t i = 0;
    *used = 0;
    if (c->type == TOK_BYTE) {
        *used = len;
        return ERR_OK;
    }
    while (i < len) {
        size_t k = 0;
        uint32_t cp;
        Utf8Error why = UTF8_OK;
        int r = tokenizer_next(c->type, text, len, i, last, &k, &cp, &why);
        if (r == 0)
            break;
        if (r < 0) {
            *used = i;
            return tokenizer_bad_utf8(err, source, text + i, len - i, base + i, why);
        }
        if (c->type == TOK_CHAR)
            c->seen[cp >> 5] |= 1u << (cp & 31);
        else
            tokenizer_counter_word(c, text + i, k, base + i);
        i += k;
    }
    *used = i;
    return ERR_OK;
}

static void tokenizer_finish_char(const TokCounter *c, Tokenizer *t)
{
    int v = 0;
    for (uint32_t w = 0; w < TOK_MAX_CP / 32; w++)
        v += __builtin_popcount(c->seen[w]);
    tokenizer_alloc(t, TOK_CHAR, v);
    int id = 0;
    for (uint32_t w = 0; w < TOK_MAX_CP / 32; w++) {
        uint32_t bits = c->seen[w];
        while (bits) {
            uint32_t cp = w * 32 + (uint32_t)__builtin_ctz(bits);
            char buf[4];
            bits &= bits - 1;
            tokenizer_set(t, id++, buf, (size_t)utf8_encode(cp, buf));
        }
    }
    tokenizer_index_build(t, NULL);
}

static int tokenizer_word_cmp(const void *pa, const void *pb)
{
    const WordCount *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

static int tokenizer_finish_word(TokCounter *c, Tokenizer *t, const char *source, Err *err)
{
    qsort(c->words, c->n_words, sizeof *c->words, tokenizer_word_cmp);
    size_t keep = c->n_words;
    if (c->max_vocab > 0 && keep > (size_t)c->max_vocab - 1)
        keep = (size_t)c->max_vocab - 1;
    if (keep > (size_t)INT32_MAX - 1)
        return err_set(err, ERR_INPUT, "%s: more than %d distinct words; set a vocabulary limit",
                       source ? source : "text", INT32_MAX - 1);
    tokenizer_alloc(t, TOK_WORD, (int)keep + 1);
    tokenizer_set(t, 0, "<unk>", 5);
    t->unk_id = 0;
    for (size_t w = 0; w < keep; w++)
        tokenizer_set(t, (int)w + 1, c->bytes + c->words[w].at, c->words[w].len);
    tokenizer_index_build(t, NULL);
    return ERR_OK;
}

int tokenizer_counter_finish(TokCounter *c, Tokenizer *t, const char *source, Err *err)
{
    memset(t, 0, sizeof *t);
    t->unk_id = -1;
    switch (c->type) {
    case TOK_BYTE:
        tokenizer_build_byte(t);
        return ERR_OK;
    case TOK_CHAR:
        tokenizer_finish_char(c, t);
        return ERR_OK;
    case TOK_WORD:
        break;
    }
    return tokenizer_finish_word(c, t, source, err);
}

int tokenizer_build(Tokenizer *t, TokType type, const char *text, size_t len, int max_vocab,
                    const char *source, Err *err)
{
    memset(t, 0, sizeof *t);
    t->unk_id = -1;
    TokCounter *c = NULL;
    size_t used;
    int rc = tokenizer_counter_new(&c, type, max_vocab, err);
    if (!rc)
        rc = tokenizer_counter_feed(c, text, len, 1, 0, &used, source, err);
    if (!rc)
        rc = tokenizer_counter_finish(c, t, source, err);
    tokenizer_counter_free(c);
    return rc;
}


int tokenizer_from_vocab(Tokenizer *t, TokType type, char *const *tokens, int n, Err *err)
{
    memset(t, 0, sizeof *t);
    t->unk_id = -1;
    if (type == TOK_BYTE) {
        tokenizer_build_byte(t);
        return ERR_OK;
    }
    if (type != TOK_CHAR && type != TOK_WORD)
        return err_set(err, ERR_INPUT, "unknown tokenizer type %d; use char, byte or word", (int)type);
    if (n <= 0 || !tokens)
        return err_set(err, ERR_INPUT, "%s vocabulary is empty; the checkpoint's \"vocab\" must list its tokens",
                       tok_name(type));
    tokenizer_alloc(t, type, n);
    for (int id = 0; id < n; id++) {
        const char *s = tokens[id];
        size_t len = s ? strlen(s) : 0;
        if (len == 0) {
            tokenizer_set(t, id, "", 1); /* the NUL token (see tokenizer.h) */
            continue;
        }
        Utf8Error why = UTF8_OK;
        size_t bad = utf8_find_invalid(s, len, &why);
        if (bad != SIZE_MAX) {
            tokenizer_free(t);
            return err_set(err, ERR_INPUT, "%s vocabulary entry %d is not valid UTF-8 (%s at byte %zu)",
                           tok_name(type), id, utf8_error_name(why), bad);
        }
        if (type == TOK_CHAR) {
            uint32_t cp;
            if ((size_t)utf8_decode((const unsigned char *)s, len, &cp, NULL) != len) {
                tokenizer_free(t);
                char bytes[100];
                tokenizer_hex_bytes((const unsigned char *)s, len < 16 ? len : 16, bytes, sizeof bytes);
                return err_set(err, ERR_INPUT, "char vocabulary entry %d (bytes %s%s) is not one character",
                               id, bytes, len > 16 ? "..." : "");
            }
        }
        tokenizer_set(t, id, s, len);
    }
    int dup_of = -1;
    int dup = tokenizer_index_build(t, &dup_of);
    if (dup >= 0) {
        tokenizer_free(t);
        return err_set(err, ERR_INPUT, "%s vocabulary entry %d repeats entry %d", tok_name(type), dup,
                       dup_of);
    }
    if (type == TOK_WORD) {
        t->unk_id = tokenizer_lookup(t, "<unk>", 5);
        if (t->unk_id < 0) {
            tokenizer_free(t);
            return err_set(err, ERR_INPUT, "word vocabulary has no \"<unk>\" entry");
        }
    }
    return ERR_OK;
}

void tokenizer_copy(Tokenizer *dst, const Tokenizer *src)
{
    tokenizer_alloc(dst, src->type, src->vocab_size);
    dst->unk_id = src->unk_id;
    for (int id = 0; id < src->vocab_size; id++)
        tokenizer_set(dst, id, src->tokens[id], (size_t)src->token_len[id]);
    if (src->slots) {
        dst->n_slots = src->n_slots;
        dst->slots = xmalloc(src->n_slots * sizeof *dst->slots);
        memcpy(dst->slots, src->slots, src->n_slots * sizeof *dst->slots);
    }
}

void tokenizer_free(Tokenizer *t)
{
    if (!t)
        return;
    for (int id = 0; t->tokens && id < t->vocab_size; id++)
        free(t->tokens[id]);
    free(t->tokens);
    free(t->token_len);
    free(t->slots);
    memset(t, 0, sizeof *t);
    t->unk_id = -1;
}

/* ---- encoding and decoding ---------------------------------------------- */

/* tokenizer_encode_block, and with starts != NULL each token's first byte
 * (as a stream offset) too. *n_unknown and *first_unknown accumulate. */
static int tokenizer_encode_run(const Tokenizer *t, const char *text, size_t len, int last, size_t base,
                                int *ids, size_t *starts, size_t cap, size_t *n_ids, size_t *used,
                                size_t *n_unknown, size_t *first_unknown, const char *source, Err *err)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t n = 0, i = 0;
    *n_ids = 0;
    *used = 0;
    if (t->type == TOK_BYTE) {
        for (; i < len && n < cap; i++) {
            if (starts)
                starts[n] = base + i;
            ids[n++] = u[i];
        }
    } else {
        while (i < len && n < cap) {
            size_t k = 0;
            uint32_t cp;
            Utf8Error why = UTF8_OK;
            int r = tokenizer_next(t->type, text, len, i, last, &k, &cp, &why);
            if (r == 0)
                break;
            if (r < 0)
                return tokenizer_bad_utf8(err, source, text + i, len - i, base + i, why);
            int id = tokenizer_lookup(t, text + i, k);
            if (id < 0) {
                if ((*n_unknown)++ == 0 && *first_unknown == SIZE_MAX)
                    *first_unknown = base + i;
                if (t->type == TOK_WORD)
                    id = t->unk_id;
            }
            if (id >= 0) {
                if (starts)
                    starts[n] = base + i;
                ids[n++] = id;
            }
            i += k;
        }
    }
    *n_ids = n;
    *used = i;
    return ERR_OK;
}

int tokenizer_encode_block(const Tokenizer *t, const char *text, size_t len, int last, size_t base, int *ids,
                           size_t cap, size_t *n_ids, size_t *used, size_t *n_unknown, size_t *first_unknown,
                           const char *source, Err *err)
{
    return tokenizer_encode_run(t, text, len, last, base, ids, NULL, cap, n_ids, used, n_unknown, first_unknown,
                                source, err);
}

/* tokenizer_encode of the whole text, and with spans != NULL each token's first byte too. */
static int tokenizer_encode_any(const Tokenizer *t, const char *text, size_t len, int **ids,
                                size_t **spans, size_t *n_ids, size_t *n_unknown,
                                size_t *first_unknown, const char *source, Err *err)
{
    int *out = xmalloc((len ? len : 1) * sizeof *out); /* never more tokens than bytes */
    size_t *at = spans ? xmalloc((len ? len : 1) * sizeof *at) : NULL;
    size_t n = 0, used = 0, unknown = 0, first = SIZE_MAX;

    *ids = NULL;
    *n_ids = 0;
    if (spans)
        *spans = NULL;
    int rc = tokenizer_encode_run(t, text, len, 1, 0, out, at, len, &n, &used, &unknown, &first, source, err);
    if (rc) {
        free(out);
        free(at);
        return rc;
    }
    *ids = xrealloc(out, (n ? n : 1) * sizeof *out);
    if (spans)
        *spans = xrealloc(at, (n ? n : 1) * sizeof *at);
    *n_ids = n;
    if (n_unknown)
        *n_unknown = unknown;
    if (first_unknown)
        *first_unknown = first;
    return ERR_OK;
}

int tokenizer_encode(const Tokenizer *t, const char *text, size_t len, int **ids, size_t *n_ids,
                     size_t *n_unknown, size_t *first_unknown, const char *source, Err *err)
{
    return tokenizer_encode_any(t, text, len, ids, NULL, n_ids, n_unknown, first_unknown, source,
                                err);
}

int tokenizer_encode_spans(const Tokenizer *t, const char *text, size_t len, int **ids,
                           size_t **starts, size_t *n_ids, size_t *n_unknown, const char *source,
                           Err *err)
{
    return tokenizer_encode_any(t, text, len, ids, starts, n_ids, n_unknown, NULL, source, err);
}

/* Append src[0..n) to buf at *pos if it fits whole before the final NUL. */
static void tokenizer_put(char *buf, size_t cap, size_t *pos, const char *src, size_t n,
                          int *full)
{
    if (!*full && cap > 0 && *pos + n <= cap - 1) {
        memcpy(buf + *pos, src, n);
        buf[*pos + n] = '\0';
    } else {
        *full = 1; /* stop writing so the output is a prefix of whole pieces */
    }
    *pos += n;
}

size_t tokenizer_decode(const Tokenizer *t, int id, char *buf, size_t cap)
{
    if (cap > 0)
        buf[0] = '\0';
    if (id < 0 || id >= t->vocab_size)
        return 0;
    size_t n = (size_t)t->token_len[id];
    if (cap > 0) {
        size_t w = n < cap - 1 ? n : cap - 1;
        memcpy(buf, t->tokens[id], w);
        buf[w] = '\0';
    }
    return n;
}

size_t tokenizer_display(const Tokenizer *t, int id, char *buf, size_t cap)
{
    size_t pos = 0;
    int full = 0;
    if (cap > 0)
        buf[0] = '\0';
    if (id < 0 || id >= t->vocab_size)
        return 0;
    const unsigned char *s = (const unsigned char *)t->tokens[id];
    size_t len = (size_t)t->token_len[id], i = 0;
    while (i < len) {
        uint32_t cp;
        int k = t->type == TOK_BYTE ? (s[i] < 0x80 ? 1 : 0) : utf8_decode(s + i, len - i, &cp, NULL);
        if (k == 0) {
            cp = s[i]; /* a lone byte: always escaped */
            k = 1;
        } else if (k == 1) {
            cp = s[i];
        }
        char esc[8];
        if (cp == '\n') {
            tokenizer_put(buf, cap, &pos, "\xe2\x8f\x8e", 3, &full); /* ⏎ U+23CE */
        } else if (cp == ' ') {
            tokenizer_put(buf, cap, &pos, "\xe2\x90\xa3", 3, &full); /* ␣ U+2423 */
        } else if (cp == '\t') {
            tokenizer_put(buf, cap, &pos, "\xe2\x87\xa5", 3, &full); /* ⇥ U+21E5 */
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
                   (k == 1 && cp >= 0x80)) {
            static const char hex[] = "0123456789abcdef";
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[(cp >> 4) & 15];
            esc[3] = hex[cp & 15];
            tokenizer_put(buf, cap, &pos, esc, 4, &full);
        } else {
            tokenizer_put(buf, cap, &pos, (const char *)s + i, (size_t)k, &full);
        }
        i += (size_t)k;
    }
    return pos;
}
