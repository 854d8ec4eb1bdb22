/* test_scenarios.c — the findings engine on runs with a known answer.
 *
 * Reads tests/scenarios.txt (its header says the format), runs each recipe
 * with the real trainer in this process, and checks the findings at the end:
 * the ids that must be active (and the top cause where one is named), the ids
 * that must not, and for "healthy" that no problem or warning is active.
 * Prints a table: scenario, expected, found, pass.
 *
 *   test_scenarios            the fast version (small models; `make test`)
 *   test_scenarios --full     the recipes as written (`make scenarios`)
 *   test_scenarios NAME...    only those scenarios (either version)
 * Under the sanitizers (RNNSCOPE_SANITIZED set by make test-san) the fast
 * version runs every third scenario, the first included: the same code paths
 * at a third of the (three to five times slower) time.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "findings.h"
#include "rng.h"
#include "trainer.h"

#define MAX_TOK 64

typedef struct {
    char line[2048];
    char *name, *flags, *fast, *expect, *forbid;
} Scenario;

static char corpora[512], tmpdir[256];

/* Over the suite: expected ids found (recall), root causes that were expected
 * (precision), verdicts right. */
static int n_expected, n_expected_found, n_roots, n_roots_expected, n_verdicts, n_verdicts_right;

static int split_fields(Scenario *s)
{
    char *f[5];
    char *p = s->line;
    for (int i = 0; i < 5; i++) {
        f[i] = p;
        char *bar = i < 4 ? strstr(p, " | ") : NULL;
        if (i < 4 && !bar)
            return 0;
        if (bar) {
            *bar = 0;
            p = bar + 3;
        }
    }
    for (int i = 0; i < 5; i++) { /* trim */
        while (*f[i] == ' ')
            f[i]++;
        size_t n = strlen(f[i]);
        while (n && (f[i][n - 1] == ' ' || f[i][n - 1] == '\n'))
            f[i][--n] = 0;
    }
    s->name = f[0];
    s->flags = f[1];
    s->fast = f[2];
    s->expect = f[3];
    s->forbid = f[4];
    return 1;
}

static int tokens(char *s, char **out)
{
    int n = 0;
    for (char *t = strtok(s, " "); t && n < MAX_TOK; t = strtok(NULL, " "))
        out[n++] = t;
    return n;
}

/* ---- generated corpora ---------------------------------------------------------- */

static int write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int gen_head(const char *file, long bytes, char *out, size_t cap)
{
    char src[800];
    snprintf(src, sizeof src, "%s/%s", corpora, file);
    FILE *f = fopen(src, "rb");
    if (!f)
        return -1;
    char *buf = malloc((size_t)bytes);
    size_t n = fread(buf, 1, (size_t)bytes, f);
    fclose(f);
    snprintf(out, cap, "%s/head-%ld-%s", tmpdir, bytes, file);
    int rc = write_file(out, buf, n);
    free(buf);
    return rc;
}

/* Sentences of a small grammar: [det] [adj] noun verb [det] [adj] noun [adverb] end. */
static int gen_words(long sentences, char *out, size_t cap)
{
    static const char *const det[] = {"the", "a", "one", "every", "that"};
    static const char *const adj[] = {"old", "small", "grey", "quiet", "bright", "cold", "tall", "red"};
    static const char *const noun[] = {"keeper", "boat", "lamp", "gull", "storm", "sister", "island", "rope",
                                       "letter", "tide", "door", "stair"};
    static const char *const verb[] = {"sees", "holds", "finds", "lights", "follows", "pulls", "keeps", "writes"};
    static const char *const adv[] = {"slowly", "again", "at night", "by the sea", "in the morning"};
    Rng r;
    rng_seed(&r, 7);
#define PICK(a) a[rng_u32(&r) % (sizeof a / sizeof a[0])]
    size_t cap_b = (size_t)sentences * 80 + 1, n = 0;
    char *b = malloc(cap_b);
    for (long i = 0; i < sentences; i++) {
        n += (size_t)snprintf(b + n, cap_b - n, "%s ", PICK(det));
        if (rng_u32(&r) % 2)
            n += (size_t)snprintf(b + n, cap_b - n, "%s ", PICK(adj));
        n += (size_t)snprintf(b + n, cap_b - n, "%s %s %s ", PICK(noun), PICK(verb), PICK(det));
        if (rng_u32(&r) % 2)
            n += (size_t)snprintf(b + n, cap_b - n, "%s ", PICK(adj));
        n += (size_t)snprintf(b + n, cap_b - n, "%s", PICK(noun));
        if (rng_u32(&r) % 3 == 0)
            n += (size_t)snprintf(b + n, cap_b - n, " %s", PICK(adv));
        n += (size_t)snprintf(b + n, cap_b - n, " .\n");
    }
#undef PICK
    snprintf(out, cap, "%s/words-%ld.txt", tmpdir, sentences);
    int rc = write_file(out, b, n);
    free(b);
    return rc;
}

static int gen_random(long bytes, char *out, size_t cap)
{
    Rng r;
    rng_seed(&r, 11);
    char *b = malloc((size_t)bytes);
    for (long i = 0; i < bytes; i++)
        b[i] = (char)('a' + rng_u32(&r) % 26);
    snprintf(out, cap, "%s/random-%ld.txt", tmpdir, bytes);
    int rc = write_file(out, b, (size_t)bytes);
    free(b);
    return rc;
}

/* ---- building a run --------------------------------------------------------------- */

typedef struct {
    float forget, input, dead; /* NAN: not crafted */
} Craft;

static int apply_flags(TrainConfig *c, Craft *cr, char **tok, int n, int fast, char *why, size_t cap)
{
    for (int i = 0; i < n; i++) {
        const char *t = tok[i];
        char path[800];
        if (!strncmp(t, "@head:", 6)) {
            char file[256];
            long bytes;
            const char *colon = strrchr(t + 6, ':');
            if (!colon || sscanf(colon + 1, "%ld", &bytes) != 1)
                return snprintf(why, cap, "bad directive %s", t), -1;
            snprintf(file, sizeof file, "%.*s", (int)(colon - (t + 6)), t + 6);
            if (gen_head(file, bytes, path, sizeof path) != 0)
                return snprintf(why, cap, "%s: cannot make the corpus", t), -1;
            snprintf(c->corpus, sizeof c->corpus, "%s", path);
        } else if (!strncmp(t, "@gen:words:", 11)) {
            if (gen_words(atol(t + 11), path, sizeof path) != 0)
                return snprintf(why, cap, "%s: cannot make the corpus", t), -1;
            snprintf(c->corpus, sizeof c->corpus, "%s", path);
        } else if (!strncmp(t, "@gen:random:", 12)) {
            if (gen_random(atol(t + 12), path, sizeof path) != 0)
                return snprintf(why, cap, "%s: cannot make the corpus", t), -1;
            snprintf(c->corpus, sizeof c->corpus, "%s", path);
        } else if (!strcmp(t, "@shakespeare")) {
            const char *env = getenv("RNNSCOPE_SHAKESPEARE");
            char shk[800];
            snprintf(shk, sizeof shk, "%.700s", env ? env : "data/tinyshakespeare.txt");
            if (!fast && access(shk, R_OK) != 0)
                return snprintf(why, cap, "skipped: %s is missing (scripts/dev/download_corpora.sh)", shk), 1;
            if (fast)
                snprintf(shk, sizeof shk, "%s/lighthouse.txt", corpora);
            snprintf(c->corpus, sizeof c->corpus, "%s", shk);
        } else if (!strncmp(t, "@craft:forget=", 14)) {
            cr->forget = strtof(t + 14, NULL);
        } else if (!strncmp(t, "@craft:input=", 13)) {
            cr->input = strtof(t + 13, NULL);
        } else if (!strncmp(t, "@craft:dead=", 12)) {
            cr->dead = strtof(t + 12, NULL);

        } else if (!strncmp(t, "--", 2)) {
            const TcField *fd = train_config_find(t + 2);
            if (!fd)
                return snprintf(why, cap, "unknown flag %s", t), -1;
            const char *v = "1";
            if (fd->kind != TC_BOOL || (i + 1 < n && strncmp(tok[i + 1], "--", 2) && tok[i + 1][0] != '@'))
                v = i + 1 < n ? tok[++i] : "";
            char value[800];
            if (!strcmp(t + 2, "corpus"))
                snprintf(value, sizeof value, "%s/%s", corpora, v);
            else
                snprintf(value, sizeof value, "%s", v);
            Err e;
            if (train_config_set(c, t + 2, value, &e) != 0)
                return snprintf(why, cap, "%s", e.msg), -1;
        } else {
            return snprintf(why, cap, "unexpected '%s'", t), -1;
        }
    }
    return 0;
}

/* Set rows [g*H, (g+1)*H) of a layer's biases (split between b_ih and b_hh). */
static void set_gate_bias(Model *m, int layer, int gate, int units, float value)
{
    int H = m->cfg.hidden;
    float *bi = model_tensor(m, TENSOR_B_IH(layer)), *bh = model_tensor(m, TENSOR_B_HH(layer));
    for (int j = 0; j < units; j++) {
        bi[gate * H + j] = value / 2;
        bh[gate * H + j] = value / 2;
    }
}

static void craft(Model *m, const Craft *cr)
{
    int H = m->cfg.hidden;

    for (int l = 0; l < m->cfg.layers && m->cfg.cell == CELL_LSTM; l++) {
        if (!isnan(cr->forget))
            set_gate_bias(m, l, 1, H, cr->forget);
        if (!isnan(cr->input))
            set_gate_bias(m, l, 0, H, cr->input);
        if (!isnan(cr->dead)) {
            int dead = (int)(cr->dead * H + 0.5f);
            int in = l == 0 ? m->cfg.embed : H;
            float *wi = model_tensor(m, TENSOR_W_IH(l)), *wh = model_tensor(m, TENSOR_W_HH(l));
            for (int j = 0; j < dead; j++) {
                memset(wi + (size_t)(3 * H + j) * in, 0, sizeof(float) * (size_t)in);
                memset(wh + (size_t)(3 * H + j) * H, 0, sizeof(float) * (size_t)H);
            }
            set_gate_bias(m, l, 3, dead, -30.0f);
        }
    }
}

/* ---- judging -------------------------------------------------------------------------- */

static int active(const Finding *f, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(findings_id_name(f[i].id), id))
            return 1;
    return 0;
}

static int run_scenario(Scenario *s, int fast, int *skipped)
{
    TrainConfig c;
    train_config_default(&c);
    snprintf(c.corpus, sizeof c.corpus, "%s/lighthouse.txt", corpora);
    c.threads = 2;
    Craft cr = {NAN, NAN, NAN};
    char why[1200] = "", flags[1024], fastf[1024];
    char *tok[MAX_TOK];
    snprintf(flags, sizeof flags, "%s", s->flags);
    snprintf(fastf, sizeof fastf, "%s", s->fast);
    int n = tokens(flags, tok);
    int rc = apply_flags(&c, &cr, tok, n, fast, why, sizeof why);
    if (rc == 0 && fast) {
        n = tokens(fastf, tok);
        rc = apply_flags(&c, &cr, tok, n, fast, why, sizeof why);
    }
    if (rc > 0) {
        printf("%-20s %s\n", s->name, why);
        *skipped = 1;
        return 1;
    }
    if (rc < 0) {
        CHECK(0, "%s: recipe: %s", s->name, why);
        return 0;
    }
    Trainer t;
    Err err;
    if (trainer_init(&t, &c, &err) != 0) {
        CHECK(0, "%s: trainer_init: %s", s->name, err.msg);
        return 0;
    }
    craft(&t.model, &cr);
    while (t.step < c.steps) {
        StepInfo info;
        if (trainer_step(&t, &info, &err) != 0) {
            if (!strstr(err.msg, "not finite")) {
                CHECK(0, "%s: step %ld: %s", s->name, t.step + 1, err.msg);
                trainer_free(&t);
                return 0;
            }
            break;
        }
    }
    Finding f[FINDINGS_MAX];
    int nf = findings_list(&t.findings, f, FINDINGS_MAX);
    const char *verdict = findings_verdict(&t.findings);
    char found[512] = "", bad[512] = "";
    size_t len = 0;
    for (int i = 0; i < nf; i++)
        len += (size_t)snprintf(found + len, len < sizeof found ? sizeof found - len : 0, "%s%s%s(%c)",
                                i ? " " : "", i == 0 && f[0].severity != SEV_NOTE ? "^" : "",
                                findings_id_name(f[i].id), "nwp"[f[i].severity]);
    if (nf == 0)
        snprintf(found, sizeof found, "none");
    char ex[512], fo[512];
    snprintf(ex, sizeof ex, "%s", s->expect);
    snprintf(fo, sizeof fo, "%s", s->forbid);
    char *et[MAX_TOK], *ft[MAX_TOK];
    int ne = tokens(ex, et), nfo = strcmp(s->forbid, "-") ? tokens(fo, ft) : 0;
    size_t blen = 0;
#define BAD(...) (blen += (size_t)snprintf(bad + blen, blen < sizeof bad ? sizeof bad - blen : 0, __VA_ARGS__))
    for (int i = 0; i < ne; i++) {
        const char *id = et[i][0] == '^' || et[i][0] == '~' || et[i][0] == '*' ? et[i] + 1 : et[i];
        if (et[i][0] == '*') { /* transient: it appeared at some step of the run */
            FindingId want = findings_id_from_name(id);
            long seen = 0;
            int appeared = 0;
            FindingEvent e;
            while (findings_next_event(&t.findings, &seen, &e))
                appeared |= e.id == want && e.appeared;
            n_expected++;
            n_expected_found += appeared;
            if (!appeared)
                BAD(" %s never appeared;", id);
            continue;
        }
        if (et[i][0] == '~') { /* a symptom: if present, it hangs under a cause */
            for (int k = 0; k < nf; k++)
                if (!strcmp(findings_id_name(f[k].id), id) && f[k].cause == FD_NONE)
                    BAD(" %s is a root, not a symptom;", id);
            continue;
        }
        if (!strcmp(id, "healthy")) {
            int p, w;
            findings_counts(&t.findings, &p, &w, NULL);
            if (p || w || strcmp(verdict, "healthy"))
                BAD(" not healthy;");
            continue;
        }
        if (findings_id_from_name(id) == FD_NONE)
            BAD(" unknown id %s;", id);
        else if (!active(f, nf, id))
            BAD(" %s missing;", id);
        if (et[i][0] == '^' && strcmp(verdict, id))
            BAD(" top cause is %s, not %s;", verdict, id);
    }
    for (int i = 0; i < nfo; i++)
        if (active(f, nf, ft[i]))
            BAD(" %s must not appear;", ft[i]);
    /* the suite's precision and recall */
    const char *want_verdict = "healthy";
    for (int i = 0; i < ne; i++) {
        if (et[i][0] == '~' || et[i][0] == '*' || !strcmp(et[i], "healthy"))
            continue;
        n_expected++;
        n_expected_found += active(f, nf, et[i][0] == '^' ? et[i] + 1 : et[i]);
        if (et[i][0] == '^')
            want_verdict = et[i] + 1;
    }
    if (!strcmp(et[0], "healthy") || et[0][0] == '^') {
        n_verdicts++;
        n_verdicts_right += !strcmp(verdict, want_verdict);
    }
    for (int k = 0; k < nf; k++) {
        if (f[k].cause != FD_NONE || f[k].severity == SEV_NOTE)
            continue;
        n_roots++;
        for (int i = 0; i < ne; i++)
            if (!strcmp(et[i][0] == '^' ? et[i] + 1 : et[i], findings_id_name(f[k].id))) {
                n_roots_expected++;
                break;
            }
    }
#undef BAD
    int ok = bad[0] == 0;
    printf("%-20s | %-34s | %-60s | %s\n", s->name, s->expect, found, ok ? "pass" : "FAIL");
    CHECK(ok, "%s (step %ld):%s", s->name, t.step, ok ? " as expected" : bad);
    if (!ok || getenv("SCENARIO_VERBOSE"))
        for (int i = 0; i < nf; i++)
            printf("    %s %s: %s [%s]\n", findings_severity_name(f[i].severity), findings_id_name(f[i].id),
                   f[i].text, f[i].advice);
    trainer_free(&t);
    return ok;
}

int main(int argc, char **argv)
{
    int fast = 1;
    const char *only[64];
    int n_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full"))
            fast = 0;
        else if (n_only < 64)
            only[n_only++] = argv[i];
    }
    const char *tests = getenv("RNNSCOPE_TESTS");
    snprintf(corpora, sizeof corpora, "%s/../corpora", tests ? tests : "tests");
    char path[1100];
    snprintf(path, sizeof path, "%s/scenarios.txt", tests ? tests : "tests");
    FILE *in = fopen(path, "r");
    if (!in) {
        CHECK(0, "cannot open %s: %s", path, strerror(errno));
        return check_summary();
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rnnscope-scenarios-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return check_summary();
    }
    printf("%-20s | %-34s | %-60s | %s\n", "scenario", "expected", "found (^ top cause; n/w/p severity)", "pass");
    Scenario s;
    int total = 0, passed = 0, skipped_n = 0, index = 0;
    int thin = fast && getenv("RNNSCOPE_SANITIZED") && n_only == 0;
    while (fgets(s.line, sizeof s.line, in)) {
        if (s.line[0] == '#' || s.line[0] == '\n')
            continue;
        if (!split_fields(&s)) {
            CHECK(0, "malformed scenario line: %s", s.line);
            continue;
        }
        int want = n_only == 0;
        for (int i = 0; i < n_only; i++)
            want |= !strcmp(only[i], s.name);
        if (!want || (thin && index++ % 3 != 0))
            continue;
        int skipped = 0;
        int ok = run_scenario(&s, fast, &skipped);
        if (skipped) {
            skipped_n++;
            continue;
        }
        total++;
        passed += ok;
    }
    fclose(in);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    printf("scenarios (%s): %d of %d pass%s\n", fast ? "fast" : "full", passed, total,
           skipped_n ? " (some skipped)" : "");
    printf("recall: %d of %d expected findings found; precision: %d of %d root causes reported (warning or "
           "problem) were expected; verdicts: %d of %d right\n", n_expected_found, n_expected, n_roots_expected,
           n_roots, n_verdicts_right, n_verdicts);
    return check_summary();
}
