/* tokenizer.h — text <-> token ids for the three tokenizers: char, byte, word.
 *
 * char: one token per Unicode code point of strictly valid UTF-8 text; the
 *       vocabulary is every distinct code point of the training text, ids in
 *       code point order.
 * byte: the 256 byte values, id = byte; any file works.
 * word: tokens that concatenate back to the text exactly — maximal runs of
 *       letters and digits, every other character alone (see tokenizer.c for
 *       the character classes). "<unk>" is id 0, then the most frequent tokens.
 *
 * Token text: tokens[id] holds token_len[id] bytes followed by a NUL. A token
 * may itself be the NUL byte (byte id 0, or U+0000 under char/word), so always
 * use token_len. When a vocabulary is passed as C strings (tokenizer_from_vocab)
 * the empty string stands for that one-byte NUL token.
 *
 * Not for: files or checkpoints (corpus.c and the checkpoint code call this),
 * subword merges, normalisation.
 */
#ifndef RNNSCOPE_TOKENIZER_H
#define RNNSCOPE_TOKENIZER_H

#include <stddef.h>

#include "err.h"

typedef enum { TOK_CHAR = 0, TOK_BYTE = 1, TOK_WORD = 2 } TokType;

typedef struct {
    TokType type;
    int vocab_size;   /* V */
    char **tokens;    /* (V) token bytes, each followed by a NUL */
    int *token_len;   /* (V) byte length of each token */
    int unk_id;       /* word: id of "<unk>" (0 when built); -1 for char and byte */
    /* private: open-addressing hash of token bytes -> id (char and word) */
    int *slots;       /* (n_slots) ids, -1 = empty; n_slots a power of two */
    size_t n_slots;
} Tokenizer;

/* "char", "byte", "word" -> *out; returns 0, or -1 for anything else. */
int tok_parse(const char *s, TokType *out);
const char *tok_name(TokType t);

/* Build the vocabulary from text[0..len). char: every distinct code point;
 * invalid UTF-8 -> ERR_INPUT "SOURCE: invalid UTF-8 at byte offset N (...);
 * use --tokenizer byte". byte: the 256 bytes. word: "<unk>" then the
 * max_vocab - 1 most frequent tokens, ties by first occurrence (max_vocab
 * counts <unk>; 0 = unlimited; ignored by char and byte). */
int tokenizer_build(Tokenizer *t, TokType type, const char *text, size_t len,
                    int max_vocab, const char *source, Err *err);

/* Rebuild from a saved vocabulary: tokens[0..n) in id order, as C strings
 * (the empty string is the NUL token). char: each exactly one code point;
 * word: must contain "<unk>"; no duplicates. byte ignores tokens and n. */
int tokenizer_from_vocab(Tokenizer *t, TokType type, char *const *tokens, int n, Err *err);

/* Deep copy of src into dst. */
void tokenizer_copy(Tokenizer *dst, const Tokenizer *src);

void tokenizer_free(Tokenizer *t);

/* Id of the token with these bytes, or -1 (byte: the byte, for len == 1). */
int tokenizer_lookup(const Tokenizer *t, const char *s, size_t len);

/* Encode text to ids (*ids allocated; caller frees). Tokens outside the
 * vocabulary: word -> unk_id, char -> skipped; *n_unknown counts them and
 * *first_unknown is the byte offset of the first (SIZE_MAX if none); both
 * pointers may be NULL. Invalid UTF-8 under char/word -> ERR_INPUT naming
 * source and byte offset. */
int tokenizer_encode(const Tokenizer *t, const char *text, size_t len, int **ids,
                     size_t *n_ids, size_t *n_unknown, size_t *first_unknown,
                     const char *source, Err *err);

/* tokenizer_encode that also gives each token's first byte: (*starts)[i] is
 * where ids[i] begins in text (allocated; caller frees). A token's bytes are
 * text[starts[i] .. starts[i] + its length), except that an <unk> word covers
 * the unknown word it stands for (up to the next token's start); characters
 * skipped as unknown under char lie between tokens. */
int tokenizer_encode_spans(const Tokenizer *t, const char *text, size_t len, int **ids,
                           size_t **starts, size_t *n_ids, size_t *n_unknown, const char *source,
                           Err *err);
/* ---- text in blocks ----------------------------------------------------
 * A file too large to hold at once is read in blocks that follow each other
 * without gaps; base is the byte offset of text[0] in the whole stream (error
 * messages name stream offsets). Each call takes the whole tokens at the start
 * of its block and sets *used to the bytes it took. In a block that is not the
 * last (last == 0) it stops before a token that could continue past the block
 * or whose end depends on the bytes after it, and leaves at least the last 4
 * bytes (the longest UTF-8 sequence): the caller moves text[*used .. len) to
 * the front of the next block. A token longer than the block is never taken,
 * so the caller grows its block when *used stays 0. The results over a whole
 * stream — vocabulary, ids, unknown counts, the first error — are exactly
 * those of the one-piece functions on the concatenated text. */

typedef struct TokCounter TokCounter;

/* A counter for the vocabulary tokenizer_build(type, max_vocab) would build.
 * ERR_INPUT for an unknown type or a negative max_vocab under word. */
int tokenizer_counter_new(TokCounter **out, TokType type, int max_vocab, Err *err);
/* Count the tokens of one block; invalid UTF-8 -> ERR_INPUT as tokenizer_build. */
int tokenizer_counter_feed(TokCounter *c, const char *text, size_t len, int last, size_t base, size_t *used,
                           const char *source, Err *err);
/* Build the vocabulary counted so far into t. */
int tokenizer_counter_finish(TokCounter *c, Tokenizer *t, const char *source, Err *err);
void tokenizer_counter_free(TokCounter *c);

/* tokenizer_encode of one block into ids (room for cap; *n_ids written; the
 * call also stops when they are full). *n_unknown and *first_unknown
 * accumulate over the blocks: start them at 0 and SIZE_MAX. */
int tokenizer_encode_block(const Tokenizer *t, const char *text, size_t len, int last, size_t base, int *ids,
                           size_t cap, size_t *n_ids, size_t *used, size_t *n_unknown, size_t *first_unknown,
                           const char *source, Err *err);

/* Write the bytes of token id to buf as snprintf does: at most cap - 1 bytes,
 * then a NUL when cap > 0. Returns the token's full length (0 for a bad id). */
size_t tokenizer_decode(const Tokenizer *t, int id, char *buf, size_t cap);

/* A visible rendering of token id for display, snprintf-style like decode but
 * never cutting a character in half: "\n" -> "⏎", " " -> "␣", "\t" -> "⇥",
 * other control characters (C0, DEL, C1) and lone bytes >= 0x80 -> "\xNN",
 * everything else as is. Returns the full rendering's length. */
size_t tokenizer_display(const Tokenizer *t, int id, char *buf, size_t cap);

#endif
