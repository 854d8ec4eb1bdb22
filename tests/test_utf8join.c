/* test_utf8join.c — whole characters from streamed byte tokens
 * (src/tui/utf8join.c): a character split over byte tokens comes out whole
 * once complete, ASCII passes at once, and bytes that cannot make a
 * character are passed on (the pane shows U+FFFD for them), never held. */
#include <string.h>

#include "check.h"
#include "utf8join.h"

/* Feed s one byte at a time; the concatenated output. */
static const char *bytewise(const char *s, int flush)
{
    static char all[256];
    char out[16];
    Utf8Join j;
    utf8join_reset(&j);
    all[0] = '\0';
    for (size_t i = 0; s[i]; i++) {
        utf8join_push(&j, s + i, 1, out, sizeof out);
        strcat(all, out);
    }
    if (flush) {
        utf8join_flush(&j, out, sizeof out);
        strcat(all, out);
    }
    return all;
}

int main(void)
{
    Utf8Join j;
    char out[16];
    utf8join_reset(&j);
    CHECK(utf8join_push(&j, "\xe4", 1, out, sizeof out) == 0 && out[0] == '\0', "a lead byte alone is held");
    CHECK(utf8join_push(&j, "\xb8", 1, out, sizeof out) == 0, "and its first continuation byte");
    CHECK(utf8join_push(&j, "\xad", 1, out, sizeof out) == 3 && !strcmp(out, "中"), "the third byte releases 中: '%s'",
          out);
    CHECK(!strcmp(bytewise("灯塔 light 🌊!", 0), "灯塔 light 🌊!"), "Chinese, ASCII and a 4-byte emoji byte by byte: '%s'",
          bytewise("灯塔 light 🌊!", 0));
    CHECK(!strcmp(bytewise("ab\xe4\xb8", 0), "ab"), "an unfinished character at the end stays held");
    CHECK(!strcmp(bytewise("ab\xe4\xb8", 1), "ab\xe4\xb8"), "flush gives the held bytes");
    CHECK(!strcmp(bytewise("\xe4x", 0), "\xe4x"), "a lead byte followed by ASCII is passed on, then the ASCII");
    CHECK(!strcmp(bytewise("\xb8\xad", 0), "\xb8\xad"), "stray continuation bytes are passed on at once");
    CHECK(!strcmp(bytewise("\xe0\x80", 0), "\xe0\x80"), "an overlong start (E0 80) is not held");
    CHECK(!strcmp(bytewise("\xed\xa0", 0), "\xed\xa0"), "a surrogate start (ED A0) is not held");
    CHECK(!strcmp(bytewise("\xc0\xff", 0), "\xc0\xff"), "C0 and FF never start a character");
    utf8join_reset(&j);
    size_t n = utf8join_push(&j, "x\xe4\xb8\xad\xe5", 5, out, sizeof out);
    CHECK(n == 4 && !strcmp(out, "x中"), "a multi-byte token: complete part out, the rest held (%zu '%s')", n, out);
    return check_summary();
}
