/* test_schedule.c — learning-rate schedules against PyTorch 1.13's schedulers.
 *
 * tests/fixtures/optim_schedule.safetensors (tests/make_optim_fixtures.py)
 * holds, per case, the lr PyTorch's optimizer saw at each step (F64) under
 * StepLR, CosineAnnealingLR, LinearLR (our warmup) and ChainedScheduler
 * combinations, and the Schedule fields in __metadata__. schedule_lr returns
 * a float, so the bound is float rounding of the double: |ours - torch| <=
 * TOL * |torch| with TOL = 2^-24 (half an ulp, relative), i.e. ours is the
 * float nearest to PyTorch's value. Where the lr reaches 0 (cosine to 0) a
 * relative error is meaningless, so a difference below 1e-15 * base_lr counts
 * as none. Then names, parsing and edge cases.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "safetensors.h"
#include "schedule.h"

#define TOL 5.9604644775390625e-08 /* 2^-24 */
#define MAX_STEPS 64

static const char *meta_str(const StFile *f, const char *c, const char *field)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", c, field);
    const char *s = st_meta(f, key);
    if (!s)
        CHECK(0, "metadata %s present", key);
    return s ? s : "0";
}

static void test_case(const StFile *f, const char *name)
{
    Schedule s;
    memset(&s, 0, sizeof s);
    const char *type = meta_str(f, name, "type");
    if (!CHECK(schedule_parse(type, &s.type) == 0, "%s: schedule type %s parses", name, type))
        return;
    s.base_lr = strtof(meta_str(f, name, "base_lr"), NULL);
    s.warmup = strtol(meta_str(f, name, "warmup"), NULL, 10);
    s.step_size = strtol(meta_str(f, name, "step_size"), NULL, 10);
    s.gamma = strtof(meta_str(f, name, "gamma"), NULL);
    s.total = strtol(meta_str(f, name, "total"), NULL, 10);
    s.min_lr = strtof(meta_str(f, name, "min_lr"), NULL);

    const StTensor *t = st_find(f, name);
    if (!CHECK(t && t->dtype == ST_F64 && t->nelem > 0 && t->nelem <= MAX_STEPS,
               "%s: F64 lr sequence present", name))
        return;
    double ref[MAX_STEPS];
    const unsigned char *b = t->data;
    for (size_t i = 0; i < t->nelem; i++) {
        uint64_t u = 0;
        for (int k = 7; k >= 0; k--)
            u = (u << 8) | b[8 * i + (size_t)k];
        memcpy(&ref[i], &u, sizeof u);
    }
    double worst = 0.0;
    long worst_step = 0;
    int distinct = 0;
    for (size_t i = 0; i < t->nelem; i++) {
        double ours = schedule_lr(&s, (long)i);
        double err = fabs(ours - ref[i]);
        double rel = err <= 1e-15 * s.base_lr ? 0.0 : err / fabs(ref[i]);
        if (!(rel <= worst)) {
            worst = rel;
            worst_step = (long)i;
        }
        if (i > 0 && ref[i] != ref[i - 1])
            distinct++;
    }
    CHECK(worst <= TOL, "%s: %zu steps, max rel err %.3g at step %ld (tol %.3g = 2^-24)", name, t->nelem,
          worst, worst_step, TOL);
    if (strcmp(name, "constant") != 0)
        CHECK(distinct >= 3, "%s: the reference lr changes (%d changes), so the test can fail", name,
              distinct);
}

static void test_edges(void)
{
    const char *names[] = {"constant", "step", "cosine"};
    for (int i = 0; i < 3; i++) {
        SchedType t = (SchedType)-1;
        CHECK(schedule_parse(names[i], &t) == 0 && (int)t == i && strcmp(schedule_name(t), names[i]) == 0,
              "schedule_parse/schedule_name round trip %s", names[i]);
    }
    SchedType t = SCHED_CONSTANT;
    CHECK(schedule_parse("linear", &t) == -1 && schedule_parse("Cosine", &t) == -1,
          "schedule_parse rejects unknown names");

    Schedule s;
    schedule_default(&s, SCHED_COSINE, 0.5f);
    s.total = 10;
    s.min_lr = 0.01f;
    CHECK(schedule_lr(&s, 10) == 0.01f && schedule_lr(&s, 11) == 0.01f && schedule_lr(&s, 1000) == 0.01f,
          "cosine holds min_lr from step total on");
    CHECK(schedule_lr(&s, -3) == schedule_lr(&s, 0) && schedule_lr(&s, 0) == 0.5f,
          "a negative step is step 0, which is base_lr");
    CHECK(fabsf(schedule_lr(&s, 5) - 0.255f) < 1e-7f, "cosine midpoint is (base + min) / 2");
    s.total = 0;
    CHECK(schedule_lr(&s, 7) == 0.5f, "cosine with total 0 is constant");

    schedule_default(&s, SCHED_STEP, 1.0f);
    CHECK(s.gamma == 0.1f, "step schedule defaults to PyTorch's gamma 0.1");
    s.step_size = 0;
    CHECK(schedule_lr(&s, 100) == 1.0f, "step schedule with step_size 0 never decays");
    s.step_size = 5;
    s.warmup = 4;
    CHECK(schedule_lr(&s, 0) == 0.25f && schedule_lr(&s, 4) == 1.0f && schedule_lr(&s, 5) == 0.1f,
          "warmup starts at base/warmup, reaches base at step warmup, then step decay");
}

int main(void)
{
    const char *dir = getenv("RNNSCOPE_TESTS");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/optim_schedule.safetensors", dir ? dir : "tests");
    StFile f;
    Err err;
    err_clear(&err);
    int rc = st_read(&f, path, &err);
    if (CHECK(rc == 0, "read %s%s%s", path, rc ? ": " : "", rc ? err.msg : "")) {
        const char *cases = st_meta(&f, "cases");
        CHECK(cases != NULL, "fixture lists its cases");
        char buf[512];
        snprintf(buf, sizeof buf, "%s", cases ? cases : "");
        int n = 0;
        for (char *save = NULL, *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            test_case(&f, c);
            n++;
        }
        CHECK(n >= 8, "%d schedule cases compared", n);
    }
    st_free(&f);
    test_edges();
    return check_summary();
}
