/* strbuf.h — a growable byte buffer for building text: JSON headers, JSON lines.
 *
 * The buffer always keeps a NUL after its last byte so data can be used as a C
 * string (when the content holds no NUL). It is not a general string library:
 * append, printf-style append, and JSON string quoting are all it does.
 * Allocation failure aborts (xrealloc), so appends cannot fail.
 */
#ifndef RNNSCOPE_STRBUF_H
#define RNNSCOPE_STRBUF_H

#include <stddef.h>

typedef struct {
    char *data;  /* (cap) bytes, data[len] == '\0'; NULL until the first append */
    size_t len;
    size_t cap;
} StrBuf;

void strbuf_init(StrBuf *b);
void strbuf_free(StrBuf *b);
/* Empty the buffer, keeping its memory. */
void strbuf_reset(StrBuf *b);
void strbuf_append(StrBuf *b, const void *data, size_t n);
void strbuf_append_str(StrBuf *b, const char *s);
void strbuf_appendf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s[0..n) as a quoted JSON string. Bytes >= 0x80 pass through unchanged
 * (valid UTF-8 stays valid); '"', '\\' and control characters are escaped
 * (\n \t \r \b \f by name, the others as \u00XX). */
void strbuf_append_json_string(StrBuf *b, const char *s, size_t n);
/* Hand the contents to the caller (malloc'd, NUL-terminated) and empty b. */
char *strbuf_detach(StrBuf *b, size_t *len);

#endif
