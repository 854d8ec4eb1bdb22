/* utf8join.c — whole UTF-8 characters from streamed token bytes (see utf8join.h). */
#include "utf8join.h"

#include <string.h>

void utf8join_reset(Utf8Join *j)
{
    j->n = 0;
}

/* Bytes a sequence with this lead byte takes (0: not a lead of a multi-byte one). */
static int utf8join_need(unsigned char c)
{
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

/* 1 if b may follow at position k (1..3) of a sequence led by lead (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF). */
static int utf8join_cont_ok(unsigned char lead, int k, unsigned char b)
{
    if (b < 0x80 || b > 0xbf)
        return 0;
    if (k == 1) {
        if (lead == 0xe0)
            return b >= 0xa0;
        if (lead == 0xed)
            return b <= 0x9f;
        if (lead == 0xf0)
            return b >= 0x90;
        if (lead == 0xf4)
            return b <= 0x8f;
    }
    return 1;
}

static void utf8join_out(char *out, size_t cap, size_t *w, unsigned char c)
{
    if (*w + 1 < cap)
        out[(*w)++] = (char)c;
}

size_t utf8join_push(Utf8Join *j, const char *s, size_t n, char *out, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (j->n > 0) {
            int need = utf8join_need(j->held[0]);
            if (utf8join_cont_ok(j->held[0], j->n, c)) {
                j->held[j->n++] = c;
                if (j->n == need) {
                    for (int k = 0; k < j->n; k++)
                        utf8join_out(out, cap, &w, j->held[k]);
                    j->n = 0;
                }
                continue;
            }
            /* cannot become a character: pass the held bytes on as they are */
            for (int k = 0; k < j->n; k++)
                utf8join_out(out, cap, &w, j->held[k]);
            j->n = 0;
        }
        if (utf8join_need(c)) {
            j->held[0] = c;
            j->n = 1;
        } else {
            utf8join_out(out, cap, &w, c);
        }
    }
    if (cap > 0)
        out[w < cap ? w : cap - 1] = '\0';
    return w;
}

size_t utf8join_flush(Utf8Join *j, char *out, size_t cap)
{
    size_t w = 0;
    for (int k = 0; k < j->n; k++)
        utf8join_out(out, cap, &w, j->held[k]);
    j->n = 0;
    if (cap > 0)
        out[w] = '\0';
    return w;
}
