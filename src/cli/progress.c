/* progress.c — the headless progress bar and periodic lines (see progress.h). */
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
    /* why: \r and clear-to-end-of-line only where they work: a terminal
     * whose TERM is set and not "dumb" (Emacs' shell, some CI consoles) */
    const char *term = getenv("TERM");
    p->tty = isatty(fileno(out)) && term && *term && strcmp(term, "dumb") != 0;
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

/* Columns of the terminal out is on (COLUMNS, else 80, if it will not say). */
static int progress_columns(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    int n = c ? atoi(c) : 0;
    return n > 0 ? n : 80;
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
        /* the longest form that fits the terminal: a line as wide as the
         * terminal or wider would wrap, and \r\033[K would then redraw only
         * its last row and leave the others behind on every update */
        int cols = progress_columns(p->out);
        char step[48], line[256];
        if (p->total > 0)
            snprintf(step, sizeof step, "%ld/%ld", s->step, p->total);
        else
            snprintf(step, sizeof step, "%ld", s->step);
        double loss = (double)p->loss_ema;
        for (int form = 0; form < 5; form++) {
            char bar[24];
            int width = form == 0 ? 20 : 10, fill = 0;
            if (p->total > 0)
                fill = (int)((double)s->step / (double)p->total * width + 0.5);
            for (int i = 0; i < width; i++)
                bar[i] = i < fill ? '#' : '.';
            bar[width] = '\0';
            const char *b = p->total > 0 ? bar : "running";
            if (form == 0)
                snprintf(line, sizeof line, "[%s] step %s  ep %.2f  loss %.4f  val %s  %s tok/s  %s  ETA %s", b, step,
                         s->epoch, loss, val, rate, el_s, eta_s);
            else if (form == 1)
                snprintf(line, sizeof line, "[%s] step %s ep %.2f loss %.4f val %s %s tok/s ETA %s", b, step,
                         s->epoch, loss, val, rate, eta_s);
            else if (form == 2)
                snprintf(line, sizeof line, "step %s ep %.2f loss %.4f val %s %s tok/s ETA %s", step, s->epoch, loss,
                         val, rate, eta_s);
            else if (form == 3)
                snprintf(line, sizeof line, "step %s loss %.4f val %s ETA %s", step, loss, val, eta_s);
            else
                snprintf(line, sizeof line, "step %s loss %.4f", step, loss);
            if ((int)strlen(line) < cols)
                break;
        }
        if ((int)strlen(line) >= cols)
            line[cols > 1 ? cols - 1 : 0] = '\0';
        fprintf(p->out, "\r\033[K%s", line);
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
