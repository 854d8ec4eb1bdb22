/* app_findings.c — the run's findings in the dashboard: the snapshot each
 * frame draws from (the box on the main screen, the status badge, the
 * inspector's list), a message when a problem or warning appears (or a note
 * grows into one) and when it clears, and the selection the inspector shows the details of (F11/F12). The
 * drawing is the pure widget in findview.c. Part of the app (app_internal.h).
 */
#include "app_internal.h"

/* When a run is installed (start, :load, a script's trainer; a->view is
 * fresh): what the run already went through is its past, not news. */
void app_findings_forget(App *a)
{
    runner_findings(a->run, &a->fsnap);
    const Findings *f = &a->fsnap;
    a->findings_seen = f->n_events;
    a->findings_step = a->view.step;
    a->findings_fails = a->view.step_fails;
    for (int i = 0; i < FD_COUNT; i++)
        a->findings_said[i] = (signed char)(f->st[i].active ? (int)f->st[i].severity : -1);
}

/* Finding id as a message: "▲ step 120: warning clip_always: clipping fired
 * ... (F12: details)", or when it grew more severe (grew 1) "▲ step 300:
 * vanishing is now a warning: ...". Remembers the severity said. */
static void app_findings_say(App *a, FindingId id, long step, int grew)
{
    Finding f;
    if (!runner_finding_get(a->run, &a->fsnap, id, &f))
        return;
    a->findings_said[id] = (signed char)f.severity;
    const char *sev = findings_severity_name(f.severity), *name = findings_id_name(id);
    char what[64];
    if (grew)
        snprintf(what, sizeof what, "%s is now a %s", name, sev);
    else
        snprintf(what, sizeof what, "%s %s", sev, name);
    app_msg(a, findview_role(f.severity), "%s step %ld: %s: %s (F12: details)", findview_mark(f.severity), step, what,
            f.text);
}

/* One event: a problem or warning that appears is said, and its clearing;
 * notes are no news (the box lists them) unless they grow into more. */
static void app_findings_event(App *a, const FindingEvent *e)
{
    FindingId id = (FindingId)e->id;
    if (id < 0 || id >= FD_COUNT)
        return;
    if (!e->appeared) {
        if (a->findings_said[id] >= SEV_WARNING)
            app_msg(a, ROLE_GOOD, "✓ step %ld: %s cleared", e->step, findings_id_name(id));
        a->findings_said[id] = -1;
        return;
    }
    const FindingState *st = &a->fsnap.st[id];
    if (!st->active) /* appeared and cleared again since the last look: its clearing follows */
        a->findings_said[id] = e->severity;
    else if (st->severity >= SEV_WARNING)
        app_findings_say(a, id, e->step, 0);
    else
        a->findings_said[id] = (signed char)st->severity;
}

/* Messages for what happened since the last call (from app_pull_runner):
 * the events, then findings that became more severe without one. */
void app_findings_tick(App *a)
{
    /* a step or a failed step is when the findings change */
    int news = a->view.generation == a->generation &&
               (a->view.step != a->findings_step || a->view.step_fails != a->findings_fails);
    if (!news)
        return;
    runner_findings(a->run, &a->fsnap);
    a->findings_step = a->view.step;
    a->findings_fails = a->view.step_fails;
    FindingEvent e;
    while (findings_next_event(&a->fsnap, &a->findings_seen, &e))
        app_findings_event(a, &e);
    for (int i = 0; i < FD_COUNT; i++) {
        const FindingState *st = &a->fsnap.st[i];
        if (st->active && st->severity >= SEV_WARNING && (int)st->severity > a->findings_said[i])
            app_findings_say(a, (FindingId)i, a->fsnap.last_step, 1);
    }
}

/* The index of the selected finding in the list, or -1 (none, or it cleared). */
static int app_findings_selected(const App *a)
{
    for (int i = 0; a->find_sel != FD_NONE && i < a->n_findings; i++)
        if (a->findings[i].id == a->find_sel)
            return i;
    return -1;
}

/* The snapshot for this frame: the list, the badge's counts. */
void app_findings_fill(App *a, PanelData *d)
{
    runner_findings(a->run, &a->fsnap);
    a->n_findings = runner_findings_list(a->run, &a->fsnap, a->findings, FINDINGS_MAX);
    d->findings = a->findings;
    d->n_findings = a->n_findings;
    findings_counts(&a->fsnap, &d->n_problems, &d->n_warnings, NULL);
    a->find_sel_index = app_findings_selected(a);
}

/* F12 (delta 1) / F11 (-1): the next / previous finding, through "none" after
 * the last; from the dashboard it opens the inspector, which shows them. */
void app_findings_select(App *a, int delta)
{
    runner_findings(a->run, &a->fsnap);
    a->n_findings = runner_findings_list(a->run, &a->fsnap, a->findings, FINDINGS_MAX);
    if (a->n_findings == 0) {
        a->find_sel = FD_NONE;
        app_msg(a, ROLE_DIM, "no findings to select: nothing looks wrong");
        return;
    }
    if (!a->inspector)
        app_set_layout(a, "inspector");
    int n = a->n_findings + 1; /* the last slot is "none" */
    int i = app_findings_selected(a);
    i = ((i < 0 ? a->n_findings : i) + delta % n + n) % n;
    a->find_sel = i < a->n_findings ? a->findings[i].id : FD_NONE;
    a->dirty = 1;
}
