/* test_csvlog.c — the CSV export: a header naming every column, one row per
 * step with as many fields, and the values of the StepInfo in them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csvlog.h"

static int fields(const char *line)
{
    int n = 1;
    for (const char *p = line; *p && *p != '\n'; p++)
        n += *p == ',';
    return n;
}

int main(void)
{
    const char *d = getenv("RNNSCOPE_TESTS");
    TrainConfig c;
    train_config_default(&c);
    snprintf(c.corpus, sizeof c.corpus, "%.900s/../corpora/lighthouse.txt", d ? d : "tests");
    c.layers = 2;
    c.hidden = 16;
    c.embed = 8;
    c.batch = 4;
    c.seq = 8;
    c.eval_every = 2;
    c.eval_chunks = 1;
    c.threads = 1;
    Trainer t;
    Err err;
    if (!CHECK(trainer_init(&t, &c, &err) == 0, "trainer starts (%s)", err.msg))
        return check_summary();
    char path[] = "/tmp/rnnscope_csv_XXXXXX";
    close(mkstemp(path));
    CsvLog l;
    CHECK(csvlog_open(&l, path, &err) == 0, "csv opens");
    l.ngram_loss = 2.5;
    StepInfo s[3];
    for (int i = 0; i < 3; i++) {
        trainer_step(&t, &s[i], &err);
        csvlog_step(&l, &s[i], &t.model);
    }
    csvlog_close(&l);
    FILE *f = fopen(path, "r");
    char line[8192];
    int want = 10 + 2 * t.model.n_tensors + 2 * (3 + 4 + 1);
    fgets(line, sizeof line, f);
    CHECK(fields(line) == want && strstr(line, "grad_norm:rnn.weight_hh_l1") && strstr(line, "sat_1_f") &&
              strstr(line, "decay_ratio_0"),
          "header has %d columns, named by tensor, layer and gate (%d)", want, fields(line));
    int rows = 0, ok = 1;
    while (fgets(line, sizeof line, f)) {
        ok &= fields(line) == want;
        long step;
        float loss, val;
        int got = sscanf(line, "%ld,%*[^,],%f", &step, &loss);
        ok &= got == 2 && step == s[rows].step && loss == s[rows].loss;
        /* val_loss is field 9: present only on the evaluated step */
        const char *p = line;
        for (int k = 0; k < 8; k++)
            p = strchr(p, ',') + 1;
        int has_val = sscanf(p, "%f", &val) == 1 && *p != ',';
        ok &= has_val == s[rows].evaluated;
        rows++;
    }
    fclose(f);
    CHECK(rows == 3 && ok, "3 rows with the step, loss and (only when evaluated) val_loss of each step");
    unlink(path);
    trainer_free(&t);
    return check_summary();
}
