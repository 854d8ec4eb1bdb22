/* findings_json.h — findings as JSON, the one format --json, --log and the
 * watchers read.
 *
 * A finding: {"id", "severity", "subject", "since", "cause" (an id or null),
 * "text", "advice", "numbers": {key: value}}; an event: {"finding": id,
 * "event": "appeared"|"cleared", "step", "severity", and for an appearance
 * "record": the finding as above}. Non-finite numbers are written as null.
 */
#ifndef RNNSCOPE_FINDINGS_JSON_H
#define RNNSCOPE_FINDINGS_JSON_H

#include "findings.h"
#include "strbuf.h"

void findings_append_json(StrBuf *b, const Finding *f);
/* record: the finding the event is about (NULL for a clearing, or when it is
 * no longer active). */
void findings_append_event_json(StrBuf *b, const FindingEvent *e, const Finding *record);
/* Every event of f after the first *seen ones (updated), one JSON object per
 * line; returns how many were written. A trainer's past events before *seen
 * are never repeated (a resumed run starts *seen at its count). */
int findings_append_new_events(StrBuf *b, const Findings *f, long *seen);
/* {"verdict", "step", "findings": [...]} for the engine as it stands. */
void findings_append_report_json(StrBuf *b, const Findings *f);

#endif
