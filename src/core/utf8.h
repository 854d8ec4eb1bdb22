/* utf8.h — strict UTF-8 decoding and encoding.
 *
 * For: the char and word tokenizers, which must reject every malformed input
 * with the byte offset at fault. Strict means RFC 3629: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
 * Not for: normalisation, character classes (the word tokenizer keeps its own
 * small, documented classes), or any other encoding.
 */
#ifndef RNNSCOPE_UTF8_H
#define RNNSCOPE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Why a sequence is invalid. */
typedef enum {
    UTF8_OK = 0,
    UTF8_BAD_LEAD,   /* a continuation byte or 0xF8..0xFF where a sequence starts */
    UTF8_TRUNCATED,  /* a lead byte not followed by enough continuation bytes */
    UTF8_OVERLONG,   /* a code point encoded in more bytes than needed */
    UTF8_SURROGATE,  /* U+D800..U+DFFF */
    UTF8_TOO_BIG     /* above U+10FFFF */
} Utf8Error;

/* Decode the code point starting at s[0] (len > 0 bytes available). Returns the
 * number of bytes it takes (1..4) and sets *cp; returns 0 on invalid input and
 * sets *why (if non-NULL). */
int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp, Utf8Error *why);

/* Write the UTF-8 form of cp (a valid scalar value) to out; returns 1..4. */
int utf8_encode(uint32_t cp, char out[4]);

/* For display loops: the code point at s[*i] (s holds len bytes), moving *i
 * past it. An invalid or truncated sequence reads as U+FFFD and moves one
 * byte, so a loop over any bytes always makes progress. */
uint32_t utf8_next(const char *s, size_t len, size_t *i);

/* Offset of the first invalid sequence in s[0..len), or SIZE_MAX if all of it
 * is valid; *why (if non-NULL) tells why. */
size_t utf8_find_invalid(const char *s, size_t len, Utf8Error *why);

/* A short English phrase for an error, e.g. "overlong encoding". */
const char *utf8_error_name(Utf8Error why);

#endif
