/* app_sample.c — the sample pane: fresh samples, and Enter's continuation of
 * the typed text.
 *
 * Enter on plain text (app_continue_text) shows "› " and the typed text
 * highlighted (ROLE_SELECTED), then streams the model's continuation of
 * exactly that text after it (ROLE_TEXT). A fresh sample from the start
 * token comes every APP_SAMPLE_EVERY_S (app_sample_tick), but only when the
 * weights changed since the last sample (paused and unchanged: none), and
 * never sooner than APP_SAMPLE_EVERY_S after a continuation has finished, so
 * the continuation stays readable; the continuation's first line is pinned
 * (textpane_pin_last), so in a small pane the typed text stays at the top and
 * the rest shows as far as it fits, until the next fresh sample. F7 and
 * :sample ask for one at any time.
 * Tokens are decoded through a Utf8Join, so a character that the byte
 * tokenizer produces as several byte tokens shows as the character.
 *
 * Not for: the probability bars (app.c's app_update_prompt, prompt.c).
 */
#include "app_internal.h"

/* The held bytes of an unfinished character go out (the pane shows U+FFFD). */
static void app_sample_flush(App *a)
{
    char buf[8];
    if (utf8join_flush(&a->sample_utf8, buf, sizeof buf))
        textpane_append_more(a->sample, ROLE_TEXT, buf);
}

static void app_emit(App *a, int id)
{
    char tok[256], buf[256 + 8];
    size_t n = tokenizer_decode(&a->tok, id, tok, sizeof tok);
    if (n >= sizeof tok)
        n = sizeof tok - 1;
    if (utf8join_push(&a->sample_utf8, tok, n, buf, sizeof buf))
        textpane_append_more(a->sample, ROLE_TEXT, buf);
}

/* The sample about to stream comes from the weights the UI has now. */
static void app_sample_begin(App *a, int length, int user)
{
    a->sampling = length;
    a->sample_user = user;
    a->sample_shown = 1;
    a->sample_gen = a->generation;
    a->sample_wver = a->wver;
    a->dirty = 1;
}

void app_continue_text(App *a, const char *line)
{
    if (!a->have_pm)
        return;
    /* at most what the prompt follows: the end of a longer text, from a whole character */
    size_t len = strlen(line), max = sizeof a->text - 1;
    const char *t = line;
    if (len > max) {
        t = line + (len - max);
        while (((unsigned char)*t & 0xc0) == 0x80)
            t++;
    }
    snprintf(a->text, sizeof a->text, "%s", t);
    if (prompt_set_text(&a->prompt, a->text, strlen(a->text)) < 0 || !prompt_logits(&a->prompt)) {
        app_msg(a, ROLE_ERROR, "cannot continue this text: it is not valid UTF-8");
        return;
    }
    app_sample_flush(a);
    prompt_rnn_copy(&a->smp, prompt_stream(&a->prompt));
    textpane_scroll_to_end(a->sample);
    textpane_append(a->sample, ROLE_DIM, "");
    textpane_pin_last(a->sample); /* the typed text stays in view, however long the continuation */
    textpane_append_more(a->sample, ROLE_DIM, t == line ? "› " : "› …");
    textpane_append_more(a->sample, ROLE_SELECTED, a->text);
    app_sample_begin(a, APP_CONTINUE_TOKENS, 1);
    a->next_sample_s = app_now() + APP_SAMPLE_EVERY_S; /* and again once it has finished */
}

void app_start_sample(App *a, int continue_prompt, int length)
{
    if (!a->have_pm)
        return;
    if (continue_prompt) {
        app_continue_text(a, a->text);
        return;
    }
    app_sample_flush(a);
    textpane_unpin(a->sample);
    textpane_scroll_to_end(a->sample);
    prompt_rnn_reset(&a->smp);
    prompt_rnn_feed(&a->smp, sample_start_token(&a->tok));
    textpane_appendf(a->sample, ROLE_DIM, "── weights of step %ld, T=%.2g ──", a->wstep, (double)a->temp);
    textpane_append(a->sample, ROLE_TEXT, "");
    app_sample_begin(a, length, 0);
}

void app_advance_sample(App *a)
{
    if (!a->sampling || !a->have_pm)
        return;
    SampleOpts o;
    sample_opts_default(&o);
    o.temperature = a->temp;
    double t0 = app_now();
    while (a->sampling > 0) {
        int id = sample_pick(a->smp.logits, a->pm.cfg.vocab, &o, &a->rng, a->scratch);
        app_emit(a, id);
        prompt_rnn_feed(&a->smp, id);
        a->sampling--;
        if (app_now() - t0 > APP_SAMPLE_BUDGET_S)
            break;
    }
    if (a->sampling == 0) {
        app_sample_flush(a);
        /* the continuation stays readable: no fresh sample for a full period from now */
        double hold = app_now() + APP_SAMPLE_EVERY_S;
        if (a->sample_user && a->next_sample_s < hold)
            a->next_sample_s = hold;
    }
    a->dirty = 1;
}

void app_sample_tick(App *a, double now)
{
    if (now < a->next_sample_s)
        return;
    a->next_sample_s = now + APP_SAMPLE_EVERY_S;
    if (a->sampling || a->help)
        return;
    /* nothing changed since the last sample: the pane keeps what it shows */
    if (a->sample_shown && a->sample_gen == a->generation && a->sample_wver == a->wver)
        return;
    app_start_sample(a, 0, APP_SAMPLE_TOKENS);
}
