/* findings_json.h — findings as JSON, the one format --json, --log and the
 * watchers read.
 *
 * A finding: {"id", "severity", "subject", "since", "cause" (an id or null),
 * "text", "advice", "numbers": {key: value}}; an event: {"finding": id,
 * "event": "appeared"|"cleared", "step", "severity"}. Non-finite numbers are
 * written as null.
 */
#ifndef RNNSCOPE_FINDINGS_JSON_H
#define RNNSCOPE_FINDINGS_JSON_H

#include "findings.h"
#include "strbuf.h"

void findings_append_json(StrBuf *b, const Finding *f);
void findings_append_event_json(StrBuf *b, const FindingEvent *e);
/* {"verdict", "step", "findings": [...]} for the engine as it stands. */
void findings_append_report_json(StrBuf *b, const Findings *f);

#endif
