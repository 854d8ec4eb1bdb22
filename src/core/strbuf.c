/* strbuf.c — growable byte buffer (see strbuf.h). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void strbuf_init(StrBuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void strbuf_free(StrBuf *b)
{
    free(b->data);
    strbuf_init(b);
}

void strbuf_reset(StrBuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Make room for n more bytes plus the trailing NUL. */
static void strbuf_reserve(StrBuf *b, size_t n)
{
    if (n >= (size_t)-1 - b->len - 1) {
        fprintf(stderr, "rnnscope: string buffer size overflow\n");
        abort();
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void strbuf_append(StrBuf *b, const void *data, size_t n)
{
    strbuf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_append_str(StrBuf *b, const char *s)
{
    strbuf_append(b, s, strlen(s));
}

void strbuf_appendf(StrBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        strbuf_append(b, small, (size_t)n);
        return;
    }
    strbuf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void strbuf_append_json_string(StrBuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_append(b, "\"", 1);
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = "\\t"; break;
        case '\r': esc = "\\r"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
                u[4] = hex[c >> 4]; u[5] = hex[c & 15];
            } else {
                continue;
            }
        }
        strbuf_append(b, s + run, i - run);
        if (esc)
            strbuf_append_str(b, esc);
        else
            strbuf_append(b, u, 6);
        run = i + 1;
    }
    strbuf_append(b, s + run, n - run);
    strbuf_append(b, "\"", 1);
}

char *strbuf_detach(StrBuf *b, size_t *len)
{
    if (!b->data) {
        strbuf_reserve(b, 0);
        b->data[0] = '\0';
    }
    char *p = b->data;
    if (len)
        *len = b->len;
    strbuf_init(b);
    return p;
}
