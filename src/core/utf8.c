/* utf8.c — strict UTF-8 decoding and encoding (see utf8.h). */
#include "utf8.h"

int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp, Utf8Error *why)
{
    Utf8Error e;
    unsigned b0 = s[0];
    int n;
    uint32_t c;
    /* Second-byte range for each lead: this is where overlong 3/4-byte forms,
     * surrogates and values past U+10FFFF are caught (RFC 3629, table 3-7). */
    unsigned lo = 0x80, hi = 0xBF;

    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 < 0xC0 || b0 > 0xF7) {
        e = UTF8_BAD_LEAD;
        goto bad;
    }
    if (b0 < 0xC2) {
        e = UTF8_OVERLONG;
        goto bad;
    }
    if (b0 < 0xE0) {
        n = 2;
        c = b0 & 0x1F;
    } else if (b0 < 0xF0) {
        n = 3;
        c = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else {
        if (b0 > 0xF4) {
            e = UTF8_TOO_BIG;
            goto bad;
        }
        n = 4;
        c = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    }
    if (len < 2 || (s[1] & 0xC0) != 0x80) {
        e = UTF8_TRUNCATED;
        goto bad;
    }
    if (s[1] < lo) {
        e = UTF8_OVERLONG;
        goto bad;
    }
    if (s[1] > hi) {
        e = b0 == 0xED ? UTF8_SURROGATE : UTF8_TOO_BIG;
        goto bad;
    }
    c = (c << 6) | (s[1] & 0x3F);
    for (int i = 2; i < n; i++) {
        if ((size_t)i >= len || (s[i] & 0xC0) != 0x80) {
            e = UTF8_TRUNCATED;
            goto bad;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return n;
bad:
    if (why)
        *why = e;
    return 0;
}

uint32_t utf8_next(const char *s, size_t len, size_t *i)
{
    uint32_t cp;
    int n = utf8_decode((const unsigned char *)s + *i, len - *i, &cp, NULL);
    if (n == 0) {
        cp = 0xfffd;
        n = 1;
    }
    *i += (size_t)n;
    return cp;
}

int utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_find_invalid(const char *s, size_t len, Utf8Error *why)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int k = utf8_decode(u + i, len - i, &cp, why);
        if (k == 0)
            return i;
        i += (size_t)k;
    }
    return SIZE_MAX;
}

const char *utf8_error_name(Utf8Error why)
{
    switch (why) {
    case UTF8_OK: return "valid";
    case UTF8_BAD_LEAD: return "byte cannot start a character";
    case UTF8_TRUNCATED: return "truncated sequence";
    case UTF8_OVERLONG: return "overlong encoding";
    case UTF8_SURROGATE: return "surrogate code point";
    case UTF8_TOO_BIG: return "code point above U+10FFFF";
    }
    return "invalid";
}
