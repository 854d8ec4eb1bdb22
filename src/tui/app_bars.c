/* app_bars.c — labels of the next-token bars under the byte tokenizer.
 *
 * A byte token of 0x80 and above is not a character by itself: a lead byte
 * (0xC2..0xF4) starts one of 2 to 4 bytes. Its bar shows the byte and the
 * character the model would most likely make of it — the lead byte fed on a
 * copy of the typed text's state, then the likeliest continuation byte
 * (0x80..0xBF) each time, until the character is whole: "\xe4 中". A
 * continuation byte or a byte that can start nothing stays "\xNN". Part of
 * the app (app_internal.h).
 */
#include "app_internal.h"

#include "utf8.h"

#define APP_BARS_MAX_COMPLETIONS 6 /* lead bytes completed per update (each costs 1-3 forward steps) */

/* Bytes a character starting with lead has (2..4), 0 if it starts none. */
static int app_bars_char_len(unsigned lead)
{
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

/* The byte token's id for byte b, or -1. */
static int app_bars_byte_id(const Tokenizer *tok, unsigned b)
{
    for (int id = 0; id < tok->vocab_size; id++)
        if (tok->token_len[id] == 1 && (unsigned char)tok->tokens[id][0] == b)
            return id;
    return -1;
}

/* The likeliest character starting with lead after the typed text, in out
 * (UTF-8, NUL-terminated); 0 if none is valid. */
static int app_bars_complete(App *a, unsigned lead, char *out)
{
    int need = app_bars_char_len(lead);
    int id = need ? app_bars_byte_id(&a->tok, lead) : -1;
    PromptRnn *s = prompt_stream(&a->prompt);
    if (id < 0 || !s->have_logits)
        return 0;
    prompt_rnn_copy(&a->label_rnn, s);
    unsigned char bytes[4] = {(unsigned char)lead};
    const float *logits = prompt_rnn_feed(&a->label_rnn, id);
    for (int k = 1; k < need && logits; k++) {
        int best = -1;
        for (int v = 0; v < a->tok.vocab_size; v++) {
            unsigned char c = (unsigned char)a->tok.tokens[v][0];
            if (a->tok.token_len[v] == 1 && c >= 0x80 && c <= 0xBF && (best < 0 || logits[v] > logits[best]))
                best = v;
        }
        if (best < 0)
            return 0;
        bytes[k] = (unsigned char)a->tok.tokens[best][0];
        logits = k + 1 < need ? prompt_rnn_feed(&a->label_rnn, best) : logits;
    }
    uint32_t cp;
    if (utf8_decode(bytes, (size_t)need, &cp, NULL) != need || cp < 0xA0)
        return 0;
    memcpy(out, bytes, (size_t)need);
    out[need] = '\0';
    return 1;
}

void app_bars_labels(App *a)
{
    memset(a->top_labels, 0, sizeof a->top_labels);
    if (!a->have_pm || a->tok.type != TOK_BYTE)
        return;
    int done = 0;
    for (int i = 0; i < a->topk_n && done < APP_BARS_MAX_COMPLETIONS; i++) {
        int id = a->top_ids[i];
        if (id < 0 || id >= a->tok.vocab_size || a->tok.token_len[id] != 1)
            continue;
        unsigned b = (unsigned char)a->tok.tokens[id][0];
        if (!app_bars_char_len(b))
            continue;
        char ch[5];
        done++;
        if (app_bars_complete(a, b, ch))
            snprintf(a->top_labels[i], sizeof a->top_labels[i], "\\x%02x %s", b, ch);
    }
}
