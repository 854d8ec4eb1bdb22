/* findview.c — findings drawn into a Grid: marks, ranked rows, the status
 * badge and one finding's details (see findview.h). */
#include "findview.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "textpane.h"

enum { FINDVIEW_WRAP_MAX = 64 };

const char *findview_mark(Severity s)
{
    return s == SEV_PROBLEM ? "✖" : s == SEV_WARNING ? "▲" : "•";
}

Role findview_role(Severity s)
{
    return s == SEV_PROBLEM ? ROLE_ERROR : s == SEV_WARNING ? ROLE_WARN : ROLE_TEXT;
}

void findview_number(double v, char *buf, size_t cap)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e9)
        snprintf(buf, cap, "%.0f", v);
    else
        chart_format_number_digits(v, 3, buf, cap);
}

/* ---- rows ------------------------------------------------------------------------ */

/* One finding on row y from x to end; suffix (or NULL) right-aligned at the end. */
static void findview_row(Grid *g, int x, int y, int end, const Finding *f, int selected, FindviewStyle style,
                         const char *suffix)
{
    Role text_role = selected ? ROLE_SELECTED : ROLE_TEXT;
    if (selected)
        grid_fill(g, rect_make(x, y, end - x, 1), ' ', ROLE_SELECTED);
    if (suffix) {
        int sw = grid_text_width(suffix);
        if (sw < end - x) {
            grid_text(g, end - sw, y, sw, suffix, ROLE_DIM, 0);
            end -= sw;
        }
    }
    int indent = f->depth * FINDVIEW_INDENT;
    if (indent > (end - x) / 3)
        indent = (end - x) / 3;
    x += indent;
    if (x >= end)
        return;
    x += grid_text(g, x, y, end - x, findview_mark(f->severity), findview_role(f->severity), ATTR_BOLD);
    x += grid_text(g, x, y, end - x, " ", text_role, 0);
    const char *name = findings_id_name(f->id);
    x += grid_text(g, x, y, end - x, name, selected ? ROLE_SELECTED : findview_role(f->severity), ATTR_BOLD);
    if (x >= end)
        return;
    char rest[sizeof f->text + sizeof f->subject + 8];
    if (style == FINDVIEW_TEXT)
        snprintf(rest, sizeof rest, ": %s", f->text);
    else if (f->subject[0] && strcmp(f->subject, "run") != 0)
        snprintf(rest, sizeof rest, " · %s", f->subject);
    else
        rest[0] = '\0';
    grid_text_fit(g, x, y, end - x, rest, text_role, 0);
}

int findview_rows(Grid *g, Rect r, const Finding *f, int n, int selected, FindviewStyle style, const char *empty)
{
    if (r.w < 1 || r.h < 1)
        return 0;
    int end = r.x + r.w;
    if (n <= 0) {
        grid_text_fit(g, r.x, r.y, r.w, empty ? empty : "no findings: nothing looks wrong", ROLE_GOOD, 0);
        return 1;
    }
    char more[32];
    if (r.h == 1 && n > 1) {
        int k = selected >= 0 && selected < n ? selected : 0;
        snprintf(more, sizeof more, " +%d more", n - 1);
        findview_row(g, r.x, r.y, end, &f[k], k == selected, style, more);
        return 1;
    }
    int show = n <= r.h ? n : r.h - 1;
    int first = selected >= show ? selected - show + 1 : 0;
    if (first > n - show)
        first = n - show;
    for (int i = 0; i < show; i++)
        findview_row(g, r.x, r.y + i, end, &f[first + i], first + i == selected, style, NULL);
    if (show < n) {
        snprintf(more, sizeof more, "+%d more", n - show);
        grid_text(g, r.x, r.y + show, r.w, more, ROLE_DIM, 0);
        return show + 1;
    }
    return show;
}

/* ---- badge ------------------------------------------------------------------------ */

/* The badge's two parts: " ✖ 1 problem " and " ▲ 2 warnings " (compact:
 * " ✖ 1 "), "" for a count of 0. */
static void findview_badge_parts(int problems, int warnings, int compact, char *p, char *w, size_t cap)
{
    const int counts[2] = {problems, warnings};
    const Severity sev[2] = {SEV_PROBLEM, SEV_WARNING};
    char *out[2] = {p, w};
    for (int i = 0; i < 2; i++) {
        out[i][0] = '\0';
        if (counts[i] > 0 && compact)
            snprintf(out[i], cap, " %s %d ", findview_mark(sev[i]), counts[i]);
        else if (counts[i] > 0)
            snprintf(out[i], cap, " %s %d %s%s ", findview_mark(sev[i]), counts[i], findings_severity_name(sev[i]),
                     counts[i] == 1 ? "" : "s");
    }
}

int findview_badge_width(int problems, int warnings, int compact)
{
    char p[48], w[48];
    findview_badge_parts(problems, warnings, compact, p, w, sizeof p);
    return grid_text_width(p) + grid_text_width(w) + (p[0] && w[0]);
}

int findview_badge(Grid *g, int x, int y, int max_w, int problems, int warnings, int compact)
{
    int need = findview_badge_width(problems, warnings, compact);
    if (need == 0 || need > max_w)
        return 0;
    char p[48], w[48];
    findview_badge_parts(problems, warnings, compact, p, w, sizeof p);
    int x0 = x;
    x += grid_text(g, x, y, max_w, p, ROLE_ERROR, ATTR_BOLD | ATTR_REVERSE);
    if (p[0] && w[0])
        x += grid_text(g, x, y, 1, " ", ROLE_STATUS, 0);
    x += grid_text(g, x, y, max_w - (x - x0), w, ROLE_WARN, ATTR_BOLD | ATTR_REVERSE);
    return x - x0;
}

/* ---- details ------------------------------------------------------------------------ */

/* text word-wrapped to w columns from row y, at most max_rows drawn (g NULL:
 * none). Returns the rows it takes. */
static int findview_para(Grid *g, int x, int y, int w, int max_rows, const char *text, Role role)
{
    int starts[FINDVIEW_WRAP_MAX];
    int rows = textpane_wrap(text, w, starts, FINDVIEW_WRAP_MAX);
    int drawn = rows < FINDVIEW_WRAP_MAX ? rows : FINDVIEW_WRAP_MAX;
    size_t len = strlen(text);
    for (int k = 0; g && k < drawn && k < max_rows; k++) {
        size_t a = (size_t)starts[k], b = k + 1 < drawn ? (size_t)starts[k + 1] : len;
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(b - a), text + a);
        grid_text(g, x, y + k, w, line, role, 0);
    }
    return rows;
}

int findview_details(Grid *g, Rect r, const Finding *f, const Finding *cause)
{
    if (r.w < 1)
        return 0;
    int y = r.y, end = r.y + (g ? r.h : 0);
    /* head: "▲ warning saturated · layer 0 input gate" */
    if (g && y < end) {
        int x = r.x, xe = r.x + r.w;
        Role role = findview_role(f->severity);
        char head[128], sub[64] = "";
        snprintf(head, sizeof head, "%s %s %s", findview_mark(f->severity), findings_severity_name(f->severity),
                 findings_id_name(f->id));
        if (f->subject[0] && strcmp(f->subject, "run") != 0)
            snprintf(sub, sizeof sub, " · %s", f->subject);
        x += grid_text(g, x, y, xe - x, head, role, ATTR_BOLD);
        grid_text_fit(g, x, y, xe - x, sub, ROLE_DIM, 0);
    }
    y++;
    y += findview_para(g, r.x, y, r.w, end - y, f->text, ROLE_TEXT);
    /* "since step 40 · follows from ✖ lr_high" */
    if (g && y < end) {
        int x = r.x, xe = r.x + r.w;
        char since[48];
        snprintf(since, sizeof since, "since step %ld", f->since);
        x += grid_text(g, x, y, xe - x, since, ROLE_DIM, 0);
        if (cause || f->cause != FD_NONE) {
            x += grid_text(g, x, y, xe - x, " · follows from ", ROLE_DIM, 0);
            if (cause) {
                x += grid_text(g, x, y, xe - x, findview_mark(cause->severity), findview_role(cause->severity),
                               ATTR_BOLD);
                x += grid_text(g, x, y, xe - x, " ", ROLE_TEXT, 0);
            }
            grid_text(g, x, y, xe - x, findings_id_name(cause ? cause->id : f->cause),
                      cause ? findview_role(cause->severity) : ROLE_TEXT, ATTR_BOLD);
        }
    }
    y++;
    if (f->n_numbers > 0) {
        char nums[FINDING_MAX_NUMBERS * 48] = "numbers:";
        size_t len = strlen(nums);
        for (int i = 0; i < f->n_numbers && i < FINDING_MAX_NUMBERS; i++) {
            char v[32];
            findview_number(f->numbers[i].value, v, sizeof v);
            len += (size_t)snprintf(nums + len, sizeof nums - len, "  %s=%s",
                                    f->numbers[i].key ? f->numbers[i].key : "?", v);
            if (len >= sizeof nums)
                break;
        }
        y += findview_para(g, r.x, y, r.w, end - y, nums, ROLE_AXIS);
    }
    if (f->advice[0]) {
        char advice[sizeof f->advice + 16];
        snprintf(advice, sizeof advice, "advice: %s", f->advice);
        y += findview_para(g, r.x, y, r.w, end - y, advice, ROLE_GOOD);
    }
    return y - r.y;
}
