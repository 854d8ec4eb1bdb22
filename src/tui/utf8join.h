/* utf8join.h — joins streamed token bytes into whole UTF-8 characters.
 *
 * For: the sample pane under the byte tokenizer, where one character such as
 * 中 (E4 B8 AD) comes as three tokens. Each token's bytes go through
 * utf8join_push, which passes on everything up to the last complete
 * character and holds back an unfinished one (at most 3 bytes) until the
 * tokens that complete it arrive; a sequence that can no longer become a
 * valid character is passed on as it is (the pane shows U+FFFD for it). So
 * the pane shows 中, not three replacement glyphs. Char and word tokens are
 * whole characters and pass straight through.
 *
 * Not for: validating text (utf8.h), the probability bars (one token each).
 */
#ifndef RNNSCOPE_UTF8JOIN_H
#define RNNSCOPE_UTF8JOIN_H

#include <stddef.h>

typedef struct {
    unsigned char held[4];
    int n;               /* bytes held: a valid prefix of a multi-byte character */
} Utf8Join;

void utf8join_reset(Utf8Join *j);

/* Append s[0..n): writes the bytes ready to show to out (NUL-terminated,
 * at most cap - 1 bytes; cap >= n + 4 is always enough) and returns how
 * many. */
size_t utf8join_push(Utf8Join *j, const char *s, size_t n, char *out, size_t cap);

/* The held bytes, e.g. when the stream ends or is abandoned (shown as
 * U+FFFD): written to out like utf8join_push; the joiner is empty after. */
size_t utf8join_flush(Utf8Join *j, char *out, size_t cap);

#endif
