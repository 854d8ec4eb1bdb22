/* tbwriter.c — TFRecord framing and a hand-written protobuf encoder and
 * decoder for TensorBoard scalars and histograms (see tbwriter.h). */
#include "tbwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"

/* ---- CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) ---- */

uint32_t tbwriter_crc32c(const void *data, size_t n)
{
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    const unsigned char *p = data;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static uint32_t tb_masked_crc(const void *data, size_t n)
{
    uint32_t c = tbwriter_crc32c(data, n);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

/* ---- protobuf encoding into a fixed buffer ---- */

typedef struct {
    unsigned char b[8192];
    size_t n;
} PbBuf;

static void pb_byte(PbBuf *p, unsigned v)
{
    if (p->n < sizeof p->b)
        p->b[p->n] = (unsigned char)v;
    p->n++;
}

static void pb_varint(PbBuf *p, uint64_t v)
{
    while (v >= 0x80) {
        pb_byte(p, (unsigned)(v & 0x7f) | 0x80);
        v >>= 7;
    }
    pb_byte(p, (unsigned)v);
}

static void pb_key(PbBuf *p, int field, int wire)
{
    pb_varint(p, (uint64_t)field << 3 | (uint64_t)wire);
}

static void pb_fixed(PbBuf *p, uint64_t bits, int bytes)
{
    for (int i = 0; i < bytes; i++)
        pb_byte(p, (unsigned)(bits >> (8 * i)) & 0xff);
}

static void pb_double(PbBuf *p, int field, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    pb_key(p, field, 1);
    pb_fixed(p, bits, 8);
}

static void pb_float(PbBuf *p, int field, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, 4);
    pb_key(p, field, 5);
    pb_fixed(p, bits, 4);
}

static void pb_bytes(PbBuf *p, int field, const void *data, size_t n)
{
    pb_key(p, field, 2);
    pb_varint(p, n);
    for (size_t i = 0; i < n; i++)
        pb_byte(p, ((const unsigned char *)data)[i]);
}

static double tb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int tb_write_record(TbWriter *w, const PbBuf *p, Err *err)
{
    if (p->n > sizeof p->b)
        return err_set(err, ERR_RUNTIME, "%s: event of %zu bytes is too large", w->path, p->n);
    unsigned char head[12];
    uint64_t len = p->n;
    for (int i = 0; i < 8; i++)
        head[i] = (unsigned char)(len >> (8 * i));
    uint32_t c1 = tb_masked_crc(head, 8), c2 = tb_masked_crc(p->b, p->n);
    for (int i = 0; i < 4; i++)
        head[8 + i] = (unsigned char)(c1 >> (8 * i));
    unsigned char tail[4];
    for (int i = 0; i < 4; i++)
        tail[i] = (unsigned char)(c2 >> (8 * i));
    if (fwrite(head, 1, 12, w->f) != 12 || fwrite(p->b, 1, p->n, w->f) != p->n || fwrite(tail, 1, 4, w->f) != 4 ||
        fflush(w->f) != 0)
        return err_set(err, ERR_RUNTIME, "--tensorboard: writing %s failed: %s", w->path, strerror(errno));
    return 0;
}

/* Event header fields, then the summary message body in sub. */
static int tb_write_event(TbWriter *w, long step, const PbBuf *summary, Err *err)
{
    static PbBuf ev;
    ev.n = 0;
    pb_double(&ev, 1, tb_now());
    pb_key(&ev, 2, 0);
    pb_varint(&ev, (uint64_t)step);
    pb_bytes(&ev, 5, summary->b, summary->n);
    return tb_write_record(w, &ev, err);
}

/* Files this process opened: the last part of their names. */
static atomic_int tb_files_opened;

int tbwriter_open(TbWriter *w, const char *dir, Err *err)
{
    memset(w, 0, sizeof *w);
    w->baseline = NAN;
    int rc0 = paths_mkdir_p(dir, err);
    if (rc0)
        return rc0;
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    for (char *c = host; *c; c++)
        if (*c == '/')
            *c = '_';
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 1000; tries++) {
        int n = atomic_fetch_add(&tb_files_opened, 1);
        if (snprintf(w->path, sizeof w->path, "%s/events.out.tfevents.%010lld.%s.%ld.%d", dir, (long long)time(NULL),
                     host, (long)getpid(), n) >= (int)sizeof w->path)
            return err_set(err, ERR_INPUT, "--tensorboard %s: the folder name is too long", dir);
        fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0 || !(w->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return err_set(err, ERR_INPUT, "--tensorboard: cannot create %s: %s", w->path, strerror(e));
    }
    PbBuf ev = {.n = 0};
    pb_double(&ev, 1, tb_now());
    pb_bytes(&ev, 3, "brain.Event:2", 13);
    int rc = tb_write_record(w, &ev, err);
    if (rc)
        tbwriter_close(w);
    return rc;
}

int tbwriter_session_start(TbWriter *w, long step, Err *err)
{
    PbBuf log = {.n = 0}, ev = {.n = 0};
    pb_key(&log, 1, 0);
    pb_varint(&log, 1); /* SessionLog.START */
    pb_double(&ev, 1, tb_now());
    pb_key(&ev, 2, 0);
    pb_varint(&ev, (uint64_t)step);
    pb_bytes(&ev, 7, log.b, log.n);
    return tb_write_record(w, &ev, err);
}

int tbwriter_scalar(TbWriter *w, const char *tag, long step, double value, Err *err)
{
    PbBuf val = {.n = 0}, sum = {.n = 0};
    pb_bytes(&val, 1, tag, strlen(tag));
    pb_float(&val, 2, (float)value);
    pb_bytes(&sum, 1, val.b, val.n);
    return tb_write_event(w, step, &sum, err);
}

int tbwriter_histogram(TbWriter *w, const char *tag, long step, const Histogram *h, Err *err)
{
    static PbBuf hist, val, sum, packed;
    hist.n = val.n = sum.n = 0;
    pb_double(&hist, 1, h->min);
    pb_double(&hist, 2, h->max);
    pb_double(&hist, 3, (double)h->count);
    pb_double(&hist, 4, h->sum);
    pb_double(&hist, 5, h->sum_sq);
    for (int field = 6; field <= 7; field++) {
        packed.n = 0;
        for (int i = 0; i < h->n_bins; i++) {
            double v = field == 6 ? diag_hist_edge(h, i) : (double)h->bins[i];
            uint64_t bits;
            memcpy(&bits, &v, 8);
            pb_fixed(&packed, bits, 8);
        }
        pb_bytes(&hist, field, packed.b, packed.n);
    }
    pb_bytes(&val, 1, tag, strlen(tag));
    pb_bytes(&val, 5, hist.b, hist.n);
    pb_bytes(&sum, 1, val.b, val.n);
    return tb_write_event(w, step, &sum, err);
}

int tbwriter_step(TbWriter *w, const Model *m, const StepInfo *info, long hist_every, double baseline,
                  Err *err)
{
    int rc = 0;
    rc |= tbwriter_scalar(w, "train/loss", info->step, info->loss, err);
    rc |= tbwriter_scalar(w, "train/lr", info->step, info->lr, err);
    rc |= tbwriter_scalar(w, "train/grad_norm", info->step, info->grad_norm, err);
    if (info->evaluated)
        rc |= tbwriter_scalar(w, "val/loss", info->step, info->val_loss, err);
    if (isfinite(baseline) && baseline != w->baseline) {
        int brc = tbwriter_scalar(w, "baseline/ngram_val_loss", info->step, baseline, err);
        if (brc == 0)
            w->baseline = baseline;
        rc |= brc;
    }
    for (int i = 0; i < m->n_tensors && hist_every > 0 && info->step % hist_every == 0 && rc == 0; i++) {
        Histogram h;
        char tag[96];
        diag_histogram(model_tensor(m, i), m->tensors[i].size, 30, &h);
        snprintf(tag, sizeof tag, "weights/%s", m->tensors[i].name);
        rc |= tbwriter_histogram(w, tag, info->step, &h, err);
        diag_histogram(model_tensor_grad(m, i), m->tensors[i].size, 30, &h);
        snprintf(tag, sizeof tag, "grads/%s", m->tensors[i].name);
        rc |= tbwriter_histogram(w, tag, info->step, &h, err);
    }
    return rc ? ERR_RUNTIME : 0;
}

void tbwriter_close(TbWriter *w)
{
    if (w->f)
        fclose(w->f);
    w->f = NULL;
}

/* ---- decoding ---- */

typedef struct {
    const unsigned char *p, *end;
    int bad;
} PbIn;

static uint64_t pbi_varint(PbIn *in)
{
    uint64_t v = 0;
    for (int s = 0; s < 64; s += 7) {
        if (in->p >= in->end) {
            in->bad = 1;
            return 0;
        }
        unsigned c = *in->p++;
        v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80))
            return v;
    }
    in->bad = 1;
    return 0;
}

static uint64_t pbi_fixed(PbIn *in, int bytes)
{
    if (in->end - in->p < bytes) {
        in->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)in->p[i] << (8 * i);
    in->p += bytes;
    return v;
}

static double pbi_double(PbIn *in)
{
    uint64_t b = pbi_fixed(in, 8);
    double d;
    memcpy(&d, &b, 8);
    return d;
}

/* Read one field's key; sub is set for length-delimited fields. */
static int pbi_field(PbIn *in, int *wire, PbIn *sub)
{
    uint64_t key = pbi_varint(in);
    *wire = (int)(key & 7);
    if (*wire == 2) {
        uint64_t len = pbi_varint(in);
        if (in->bad || len > (uint64_t)(in->end - in->p)) {
            in->bad = 1;
            return 0;
        }
        sub->p = in->p;
        sub->end = in->p + len;
        sub->bad = 0;
        in->p += len;
    }
    return (int)(key >> 3);
}

static void pbi_skip(PbIn *in, int wire)
{
    if (wire == 0)
        pbi_varint(in);
    else if (wire == 1)
        pbi_fixed(in, 8);
    else if (wire == 5)
        pbi_fixed(in, 4);
    else if (wire != 2)
        in->bad = 1;
}

static void tb_decode_histo(PbIn in, TbEvent *e)
{
    int nl = 0, nb = 0;
    while (in.p < in.end && !in.bad) {
        int wire;
        PbIn sub;
        int f = pbi_field(&in, &wire, &sub);
        if (f >= 1 && f <= 5 && wire == 1) {
            double v = pbi_double(&in);
            double *dst[6] = {NULL, &e->min, &e->max, &e->num, &e->sum, &e->sum_squares};
            *dst[f] = v;
        } else if ((f == 6 || f == 7) && wire == 2) {
            while (sub.p < sub.end && !sub.bad) {
                double v = pbi_double(&sub);
                if (f == 6 && nl < DIAG_HIST_MAX_BINS)
                    e->limit[nl++] = v;
                else if (f == 7 && nb < DIAG_HIST_MAX_BINS)
                    e->bucket[nb++] = v;
            }
        } else {
            pbi_skip(&in, wire);
        }
    }
    e->n_buckets = nb;
}

static void tb_decode_event(PbIn in, TbEvent *e)
{
    while (in.p < in.end && !in.bad) {
        int wire;
        PbIn sub;
        int f = pbi_field(&in, &wire, &sub);
        if (f == 1 && wire == 1) {
            e->wall_time = pbi_double(&in);
        } else if (f == 2 && wire == 0) {
            e->step = (long)pbi_varint(&in);
        } else if (f == 3 && wire == 2) {
            e->kind = TB_EVENT_VERSION;
            snprintf(e->tag, sizeof e->tag, "%.*s", (int)(sub.end - sub.p), (const char *)sub.p);
        } else if (f == 7 && wire == 2) {
            e->kind = TB_EVENT_SESSION;
            while (sub.p < sub.end && !sub.bad) {
                int w2;
                PbIn s2;
                int f2 = pbi_field(&sub, &w2, &s2);
                if (f2 == 1 && w2 == 0)
                    e->session_status = (int)pbi_varint(&sub);
                else
                    pbi_skip(&sub, w2);
            }
        } else if (f == 5 && wire == 2) {
            while (sub.p < sub.end && !sub.bad) { /* Summary: the first Value */
                int w2;
                PbIn val;
                int f2 = pbi_field(&sub, &w2, &val);
                if (f2 != 1 || w2 != 2) {
                    pbi_skip(&sub, w2);
                    continue;
                }
                while (val.p < val.end && !val.bad) {
                    int w3;
                    PbIn s3;
                    int f3 = pbi_field(&val, &w3, &s3);
                    if (f3 == 1 && w3 == 2)
                        snprintf(e->tag, sizeof e->tag, "%.*s", (int)(s3.end - s3.p), (const char *)s3.p);
                    else if (f3 == 2 && w3 == 5) {
                        uint32_t b = (uint32_t)pbi_fixed(&val, 4);
                        memcpy(&e->value, &b, 4);
                        e->kind = TB_EVENT_SCALAR;
                    } else if (f3 == 5 && w3 == 2) {
                        e->kind = TB_EVENT_HISTO;
                        tb_decode_histo(s3, e);
                    } else
                        pbi_skip(&val, w3);
                }
            }
        } else {
            pbi_skip(&in, wire);
        }
    }
}

static uint32_t tb_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int tbwriter_read(const char *path, TbEvent **events, int *n, Err *err)
{
    *events = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, ERR_INPUT, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = xmalloc(size > 0 ? (size_t)size : 1);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    int cap = 16, rc = 0;
    TbEvent *ev = xmalloc(sizeof *ev * (size_t)cap);
    size_t off = 0;
    while (off < got) {
        if (got - off < 12) {
            rc = err_set(err, ERR_INPUT, "%s: byte %zu: truncated record header", path, off);
            break;
        }
        uint64_t len = 0;
        for (int i = 0; i < 8; i++)
            len |= (uint64_t)buf[off + i] << (8 * i);
        if (tb_le32(buf + off + 8) != tb_masked_crc(buf + off, 8)) {
            rc = err_set(err, ERR_INPUT, "%s: byte %zu: length CRC mismatch", path, off);
            break;
        }
        if (got - off < 16 || len > got - off - 16) {
            rc = err_set(err, ERR_INPUT, "%s: byte %zu: record of %llu bytes runs past the end", path, off,
                         (unsigned long long)len);
            break;
        }
        const unsigned char *data = buf + off + 12;
        if (tb_le32(data + len) != tb_masked_crc(data, (size_t)len)) {
            rc = err_set(err, ERR_INPUT, "%s: byte %zu: data CRC mismatch", path, off + 12);
            break;
        }
        if (*n == cap)
            ev = xrealloc(ev, sizeof *ev * (size_t)(cap *= 2));
        TbEvent *e = &ev[(*n)++];
        memset(e, 0, sizeof *e);
        e->kind = -1;
        PbIn in = {data, data + len, 0};
        tb_decode_event(in, e);
        off += 16 + (size_t)len;
    }
    free(buf);
    if (rc) {
        free(ev);
        *n = 0;
        return rc;
    }
    *events = ev;
    return 0;
}
