/* tbwriter.h — TensorBoard event files, written directly (no TensorFlow).
 *
 * A file DIR/events.out.tfevents.<unix time, 10 digits>.<host>.<pid>.<n> (the
 * name TensorBoard's own writer uses; n counts the files this process opened,
 * and the file is created exclusively, so two runs started in the same second
 * never write into one file) of TFRecords: each record
 * is a little-endian uint64 length, the masked CRC-32C of those 8 bytes, the
 * data, and the masked CRC-32C of the data (mask: rotate right 15, add
 * 0xa282ead8). The data is a protobuf Event, encoded by hand here:
 *   Event     { double wall_time = 1; int64 step = 2; string file_version = 3;
 *               Summary summary = 5; SessionLog session_log = 7; }
 *   SessionLog { SessionStatus status = 1; }   (START = 1)
 *   Summary   { repeated Value value = 1; }
 *   Value     { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
 *   HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
 *                    repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
 * The first record is file_version "brain.Event:2". A reader that checks both
 * CRCs of every record and decodes the same subset back is here for tests.
 * Not here: images, audio, text summaries, or reading any other field.
 */
#ifndef RNNSCOPE_TBWRITER_H
#define RNNSCOPE_TBWRITER_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "err.h"
#include "trainer.h"

typedef struct {
    FILE *f;
    char path[1200];
    double baseline; /* the baseline/ngram_val_loss last written (NAN: none yet) */
} TbWriter;

/* Create DIR (and its missing parents) and open a new event file in it. */
int tbwriter_open(TbWriter *w, const char *dir, Err *err);
int tbwriter_scalar(TbWriter *w, const char *tag, long step, double value, Err *err);
/* Buckets: one per histogram bin, bucket_limit its right edge. */
int tbwriter_histogram(TbWriter *w, const char *tag, long step, const Histogram *h, Err *err);
/* A SessionLog START event at step: a resumed run writes it (at its first
 * step, the checkpoint's step + 1) so that TensorBoard drops the events of an
 * earlier process at that step and after (it purges every event seen before
 * a START whose step is >= the START's step), which the resumed run writes
 * again. */
int tbwriter_session_start(TbWriter *w, long step, Err *err);
void tbwriter_close(TbWriter *w);

/* What a training step writes: train/loss, train/lr, train/grad_norm,
 * val/loss when it evaluated, baseline/ngram_val_loss once (at the first step
 * after baseline became finite, and again only if its value changes), and
 * every hist_every steps the weights/NAME and grads/NAME histograms of every
 * tensor. Steps are those of StepInfo: the first step of a run is 1.
 * ERR_RUNTIME if a write failed. */
int tbwriter_step(TbWriter *w, const Model *m, const StepInfo *info, long hist_every, double baseline,
                  Err *err);

uint32_t tbwriter_crc32c(const void *data, size_t n);

/* ---- reading back (tests) ---- */

enum { TB_EVENT_VERSION = 0, TB_EVENT_SCALAR = 1, TB_EVENT_HISTO = 2, TB_EVENT_SESSION = 3 };

typedef struct {
    int kind;                 /* TB_EVENT_* */
    double wall_time;
    long step;
    char tag[128];            /* or the file_version */
    float value;              /* scalar */
    int session_status;       /* TB_EVENT_SESSION: SessionLog.status (1 = START) */
    double min, max, num, sum, sum_squares;
    int n_buckets;
    double limit[DIAG_HIST_MAX_BINS];
    double bucket[DIAG_HIST_MAX_BINS];
} TbEvent;

/* Every record of path, CRCs checked (ERR_INPUT naming the byte offset of a
 * bad record). *events is allocated; free() it. */
int tbwriter_read(const char *path, TbEvent **events, int *n, Err *err);

#endif
