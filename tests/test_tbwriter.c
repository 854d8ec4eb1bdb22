/* test_tbwriter.c — TensorBoard event files: the CRC-32C check value, and a
 * file of scalars and histograms that decodes (CRCs checked) back to what was
 * written; a flipped byte is caught. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tbwriter.h"

/* A record header with its length CRC right and 0..3 bytes after it: the
 * reader must say it is truncated, not read the data CRC past its buffer
 * (the 12-byte case was an over-read). */
static void check_short_records(void)
{
    for (int extra = 0; extra <= 4; extra++) {
        unsigned char rec[16] = {0};
        rec[0] = 0; /* length 0 */
        uint32_t c = tbwriter_crc32c(rec, 8);
        c = ((c >> 15) | (c << 17)) + 0xa282ead8u; /* TFRecord's masked CRC */
        for (int i = 0; i < 4; i++)
            rec[8 + i] = (unsigned char)(c >> (8 * i));
        char path[] = "/tmp/rnnscope_tbshort_XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0 || write(fd, rec, (size_t)(12 + extra)) != 12 + extra)
            return;
        close(fd);
        TbEvent *ev = NULL;
        int n = 0;
        Err err;
        int rc = tbwriter_read(path, &ev, &n, &err);
        if (extra < 4)
            CHECK(rc == ERR_INPUT && strstr(err.msg, "byte 0"), "a %d-byte record is refused at byte 0 (%s)", 12 + extra,
                  rc ? err.msg : "accepted");
        free(ev);
        unlink(path);
    }
}

/* Two writers opened in the same second get two files named like
 * TensorFlow's (events.out.tfevents.TIMESTAMP.HOST.PID.N), neither
 * overwriting the other; a SessionLog START event decodes, and its bytes are
 * Event field 7 holding SessionLog{status (field 1) = START (1)}. */
static void check_names_and_session(const char *dir)
{
    TbWriter a, b;
    Err err;
    int rc = tbwriter_open(&a, dir, &err);
    rc |= tbwriter_open(&b, dir, &err);
    CHECK(rc == 0 && strcmp(a.path, b.path) != 0, "two writers in one second: two files (%s, %s)", a.path, b.path);
    char host[256] = "localhost", want[512];
    gethostname(host, sizeof host - 1);
    const char *base = strrchr(a.path, '/') ? strrchr(a.path, '/') + 1 : a.path;
    long long stamp = 0;
    int used = 0;
    int ok = sscanf(base, "events.out.tfevents.%10lld%n", &stamp, &used) == 1 && used == 30 &&
             stamp > 1600000000LL;
    snprintf(want, sizeof want, ".%s.%ld.", host, (long)getpid());
    ok = ok && strncmp(base + used, want, strlen(want)) == 0;
    CHECK(ok, "event file name events.out.tfevents.<10-digit time>.<host>.<pid>.<n>: %s", base);
    rc = tbwriter_scalar(&a, "train/loss", 1, 1.0, &err);
    rc |= tbwriter_session_start(&b, 8, &err);
    rc |= tbwriter_scalar(&b, "train/loss", 8, 2.0, &err);
    tbwriter_close(&a);
    tbwriter_close(&b);
    TbEvent *ea = NULL, *eb = NULL;
    int na = 0, nb = 0;
    rc |= tbwriter_read(a.path, &ea, &na, &err);
    rc |= tbwriter_read(b.path, &eb, &nb, &err);
    CHECK(rc == 0 && na == 2 && nb == 3 && ea[1].value == 1.0f && eb[2].value == 2.0f,
          "each file holds only its own writer's events (%d and %d records)", na, nb);
    if (rc == 0 && nb == 3)
        CHECK(eb[1].kind == TB_EVENT_SESSION && eb[1].session_status == 1 && eb[1].step == 8 && eb[1].wall_time > 1.6e9,
              "tbwriter_session_start: a SessionLog START event at step 8");
    FILE *f = fopen(b.path, "rb");
    unsigned char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    int found = 0;
    for (size_t i = 0; i + 4 <= n; i++)
        found |= buf[i] == 0x3a && buf[i + 1] == 0x02 && buf[i + 2] == 0x08 && buf[i + 3] == 0x01;
    CHECK(found, "the START event is encoded as field 7 (0x3a), 2 bytes, status field 1 = 1 (08 01)");
    free(ea);
    free(eb);
    unlink(a.path);
    unlink(b.path);
}

int main(void)
{
    check_short_records();
    CHECK(tbwriter_crc32c("123456789", 9) == 0xe3069283u, "CRC-32C of \"123456789\" is the standard 0xe3069283");
    char dir[] = "/tmp/rnnscope_tb_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    TbWriter w;
    Err err;
    CHECK(tbwriter_open(&w, dir, &err) == 0 && strstr(w.path, "/events.out.tfevents."), "event file %s", w.path);
    float x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = sinf((float)i) * (float)(i % 7);
    Histogram h;
    diag_histogram(x, 1000, 30, &h);
    int rc = 0;
    for (int s = 1; s <= 5; s++)
        rc |= tbwriter_scalar(&w, "train/loss", s, 4.0 / s, &err);
    rc |= tbwriter_histogram(&w, "weights/rnn.weight_hh_l0", 5, &h, &err);
    tbwriter_close(&w);
    CHECK(rc == 0, "5 scalars and a histogram written");

    TbEvent *ev;
    int n;
    rc = tbwriter_read(w.path, &ev, &n, &err);
    CHECK(rc == 0 && n == 7, "7 records read back with both CRCs checked (%d, %s)", n, rc ? err.msg : "ok");
    if (rc == 0 && n == 7) {
        CHECK(ev[0].kind == TB_EVENT_VERSION && strcmp(ev[0].tag, "brain.Event:2") == 0 && ev[0].wall_time > 1.6e9,
              "first record: file_version brain.Event:2 and a wall time");
        int ok = 1;
        for (int s = 1; s <= 5; s++)
            ok &= ev[s].kind == TB_EVENT_SCALAR && ev[s].step == s && strcmp(ev[s].tag, "train/loss") == 0 &&
                  ev[s].value == (float)(4.0 / s);
        CHECK(ok, "scalars decode to their tag, step and value");
        TbEvent *e = &ev[6];
        double total = 0;
        int same = e->n_buckets == 30;
        for (int i = 0; i < e->n_buckets && same; i++) {
            total += e->bucket[i];
            same &= e->bucket[i] == (double)h.bins[i] && e->limit[i] == diag_hist_edge(&h, i);
        }
        CHECK(e->kind == TB_EVENT_HISTO && e->step == 5 && same && total == 1000 && e->num == 1000 &&
                  e->min == h.min && e->max == h.max && e->sum == h.sum && e->sum_squares == h.sum_sq,
              "the histogram decodes to its 30 buckets (adding up to 1000), limits, min, max, sum");
        free(ev);
    }
    /* flip one byte in the middle of the file */
    FILE *f = fopen(w.path, "r+b");
    fseek(f, 60, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 60, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
    rc = tbwriter_read(w.path, &ev, &n, &err);
    CHECK(rc == ERR_INPUT && strstr(err.msg, "CRC mismatch") && strstr(err.msg, "byte"),
          "a flipped byte fails the CRC check with its offset: %s", err.msg);
    unlink(w.path);

    /* one training step's events: scalars, val and baseline, histograms when due */
    ModelConfig mc = {CELL_RNN, 1, 4, 3, 5, 0.0f};
    Model m;
    model_new(&m, &mc, &err);
    StepInfo si;
    memset(&si, 0, sizeof si);
    si.step = 10;
    si.loss = 1.5f;
    si.lr = 0.01f;
    si.grad_norm = 0.25f;
    si.evaluated = 1;
    si.val_loss = 1.75f;
    CHECK(tbwriter_open(&w, dir, &err) == 0, "a second event file");
    rc = tbwriter_step(&w, &m, &si, 5, 2.0, &err);
    si.step = 11;
    si.evaluated = 0;
    rc |= tbwriter_step(&w, &m, &si, 5, 2.0, &err); /* the same baseline again: not written again */
    tbwriter_close(&w);
    rc |= tbwriter_read(w.path, &ev, &n, &err);
    /* version; step 10: 5 scalars + 2 histograms x 7 tensors; step 11: 3 scalars */
    CHECK(rc == 0 && n == 1 + 5 + 14 + 3, "tbwriter_step: %d records (want 23)", n);
    if (rc == 0 && n == 23)
        CHECK(!strcmp(ev[4].tag, "val/loss") && ev[4].value == 1.75f && !strcmp(ev[5].tag, "baseline/ngram_val_loss") &&
                  ev[6].kind == TB_EVENT_HISTO && !strcmp(ev[6].tag, "weights/embedding.weight") &&
                  !strcmp(ev[7].tag, "grads/embedding.weight") && ev[22].step == 11 &&
                  !strcmp(ev[22].tag, "train/grad_norm"),
              "tbwriter_step: tags in order, histograms only on a multiple of hist_every, the baseline once");
    if (rc == 0)
        free(ev);
    model_free(&m);
    unlink(w.path);
    check_names_and_session(dir);
    rmdir(dir);
    return check_summary();
}
