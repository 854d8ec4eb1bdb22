/* findings_json.c — findings as JSON (see findings_json.h). */
#include "findings_json.h"

#include <math.h>
#include <string.h>

static void number(StrBuf *b, double x)
{
    if (isfinite(x))
        strbuf_appendf(b, "%.9g", x); /* 9 significant digits: every float32 reads back exactly */
    else
        strbuf_append_str(b, "null");
}

static void string(StrBuf *b, const char *s)
{
    strbuf_append_json_string(b, s, strlen(s));
}

void findings_append_json(StrBuf *b, const Finding *f)
{
    strbuf_append_str(b, "{\"id\":");
    string(b, findings_id_name(f->id));
    strbuf_append_str(b, ",\"severity\":");
    string(b, findings_severity_name(f->severity));
    strbuf_append_str(b, ",\"subject\":");
    string(b, f->subject);
    strbuf_appendf(b, ",\"since\":%ld,\"cause\":", f->since);
    if (f->cause == FD_NONE)
        strbuf_append_str(b, "null");
    else
        string(b, findings_id_name(f->cause));
    strbuf_append_str(b, ",\"text\":");
    string(b, f->text);
    strbuf_append_str(b, ",\"advice\":");
    string(b, f->advice);
    strbuf_append_str(b, ",\"numbers\":{");
    for (int i = 0; i < f->n_numbers; i++) {
        if (i)
            strbuf_append_str(b, ",");
        string(b, f->numbers[i].key);
        strbuf_append_str(b, ":");
        number(b, f->numbers[i].value);
    }
    strbuf_append_str(b, "}}");
}

void findings_append_event_json(StrBuf *b, const FindingEvent *e, const Finding *record)
{
    strbuf_append_str(b, "{\"finding\":");
    string(b, findings_id_name((FindingId)e->id));
    strbuf_appendf(b, ",\"event\":\"%s\",\"step\":%ld,\"severity\":", e->appeared ? "appeared" : "cleared", e->step);
    string(b, findings_severity_name((Severity)e->severity));
    if (record) {
        strbuf_append_str(b, ",\"record\":");
        findings_append_json(b, record);
    }
    strbuf_append_str(b, "}");
}

int findings_append_new_events(StrBuf *b, const Findings *f, long *seen)
{
    int written = 0;
    FindingEvent e;
    while (findings_next_event(f, seen, &e)) {
        Finding rec;
        int have = e.appeared && findings_get(f, (FindingId)e.id, &rec);
        findings_append_event_json(b, &e, have ? &rec : NULL);
        strbuf_append_str(b, "\n");
        written++;
    }
    return written;
}

void findings_append_report_json(StrBuf *b, const Findings *f)
{
    Finding list[FINDINGS_MAX];
    int n = findings_list(f, list, FINDINGS_MAX);
    strbuf_append_str(b, "{\"verdict\":");
    string(b, findings_verdict(f));
    strbuf_appendf(b, ",\"step\":%ld,\"findings\":[", f->last_step);
    for (int i = 0; i < n; i++) {
        if (i)
            strbuf_append_str(b, ",");
        findings_append_json(b, &list[i]);
    }
    strbuf_append_str(b, "]}");
}
