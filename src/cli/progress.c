/* progress.c — the headless progress bar and periodic lines (see progress.h). */
#include "progress.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double progress_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_init(Progress *p, FILE *out, long total, long first_step, float val_loss)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = isatty(fileno(out));
    p->total = total;
    p->first_step = first_step;
    p->start_s = progress_now_s();
    p->loss_ema = NAN;
    p->val_loss = val_loss;
}

static void format_duration(char *buf, size_t cap, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, cap, "--");
    else if (s < 60)
        snprintf(buf, cap, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, cap, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, cap, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

static void format_rate(char *buf, size_t cap, double r)
{
    if (r >= 1e6)
        snprintf(buf, cap, "%.2fM", r / 1e6);
    else if (r >= 1e3)
        snprintf(buf, cap, "%.1fk", r / 1e3);
    else
        snprintf(buf, cap, "%.0f", r);
}

static void draw(Progress *p, const StepInfo *s, double now)
{
    double elapsed = now - p->start_s;
    long done = s->step - p->first_step;
    double eta = NAN;
    if (p->total > 0 && done > 0)
        eta = elapsed / (double)done * (double)(p->total - s->step);
    char eta_s[16], el_s[16], rate[16], val[16];
    format_duration(eta_s, sizeof eta_s, eta);
    format_duration(el_s, sizeof el_s, elapsed);
    format_rate(rate, sizeof rate, p->tokens_per_s);
    if (isnan(p->val_loss))
        snprintf(val, sizeof val, "--");
    else
        snprintf(val, sizeof val, "%.4f", (double)p->val_loss);
    if (p->tty) {
        char bar[24];
        int width = 20, fill = 0;
        if (p->total > 0)
            fill = (int)((double)s->step / (double)p->total * width + 0.5);
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(p->out, "\r\033[K[%s] step %ld", p->total > 0 ? bar : "running", s->step);
        if (p->total > 0)
            fprintf(p->out, "/%ld", p->total);
        fprintf(p->out, "  ep %.2f  loss %.4f  val %s  %s tok/s  %s  ETA %s", s->epoch,
                (double)p->loss_ema, val, rate, el_s, eta_s);
    } else {
        fprintf(p->out, "step %ld", s->step);
        if (p->total > 0)
            fprintf(p->out, "/%ld", p->total);
        fprintf(p->out, " epoch %.2f loss %.4f val %s lr %.3g grad_norm %.3g tok/s %s elapsed %s eta %s\n",
                s->epoch, (double)p->loss_ema, val, (double)s->lr, (double)s->grad_norm, rate, el_s, eta_s);
    }
    fflush(p->out);
    p->drawn = 1;
    p->last_draw_s = now;
}

void progress_update(Progress *p, const StepInfo *s)
{
    double tps = s->tokens_per_s;
    p->tokens_per_s = p->tokens_per_s > 0 ? 0.9 * p->tokens_per_s + 0.1 * tps : tps;
    p->loss_ema = isnan(p->loss_ema) ? s->loss : 0.95f * p->loss_ema + 0.05f * s->loss;
    if (s->evaluated)
        p->val_loss = s->val_loss;
    double now = progress_now_s();
    double period = p->tty ? 0.1 : 10.0;
    int last = p->total > 0 && s->step >= p->total;
    if (now - p->last_draw_s >= period || s->evaluated || last || !p->drawn)
        draw(p, s, now);
}

void progress_finish(Progress *p)
{
    if (p->tty && p->drawn) {
        fputc('\n', p->out);
        fflush(p->out);
    }
    p->drawn = 0;
}
