/* fuzz_runlog.c — libFuzzer target for the --log reader `rnnscope watch`
 * follows (runlog.c): any bytes, fed in pieces of sizes the input chooses (a
 * writer caught mid-line), must parse or be skipped line by line, and the
 * record built from them must hold its invariants: steps strictly rising,
 * the latest kept step line no later than the last point, every finding
 * event of a known id; then the record is pushed into a History and applied
 * to a findings engine as the watching runner does.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "runlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static RunLog l;
    static History h;
    static int ready;
    if (!ready) { /* once: the norm rings are megabytes */
        history_init(&h);
        runlog_init(&l, "fuzz.jsonl");
        ready = 1;
    }
    runlog_clear(&l);
    size_t at = 0;
    unsigned seed = size ? data[0] : 0;
    while (at < size) {
        size_t piece = 1 + seed % 97;
        seed = seed * 1103515245u + 12345u;
        if (piece > size - at)
            piece = size - at;
        runlog_feed(&l, (const char *)data + at, piece);
        at += piece;
    }
    for (size_t i = 1; i < l.n_pts; i++)
        if (l.pts[i].step <= l.pts[i - 1].step)
            abort();
    if (l.have_last && l.n_pts && l.last.step != l.pts[l.n_pts - 1].step)
        abort();
    for (size_t i = 0; i < l.n_events; i++)
        if (l.events[i].e.id < 0 || l.events[i].e.id >= FD_COUNT)
            abort();
    history_clear(&h);
    long after = l.n_pts ? l.pts[l.n_pts / 2].step : 0;
    runlog_push_history(&l, after, &h);
    Findings f;
    FindingsContext ctx;
    memset(&ctx, 0, sizeof ctx);
    findings_init(&f, &ctx);
    Finding rec[FD_COUNT];
    int have[FD_COUNT];
    runlog_apply_findings(&l, 0, &f, rec, have);
    Finding list[FINDINGS_MAX];
    findings_list(&f, list, FINDINGS_MAX);
    double secs;
    long steps;
    runlog_time(&l, &secs, &steps);
    return 0;
}
