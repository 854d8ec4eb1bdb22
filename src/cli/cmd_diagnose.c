/* cmd_diagnose.c — `rnnscope diagnose`: train headless for a while and say
 * what is wrong with the run, why, and what to do.
 *
 * The verdict and the findings are the trainer's own findings engine
 * (findings.h); this file only drives the steps and prints. --signals writes
 * the engine's signals after every step as JSON lines, the raw material of the
 * calibration in docs/diagnosis.md. Nothing is saved unless --save is given.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "findings_json.h"
#include "flags.h"
#include "progress.h"
#include "strbuf.h"
#include "trainer.h"

static int field_index(const char *name)
{
    for (int i = 0; i < train_config_n_fields(); i++)
        if (strcmp(train_config_field(i)->name, name) == 0)
            return i;
    return -1;
}

/* One line of --signals: what the engine measured, after this step. */
static void write_signals(FILE *out, const Findings *f, const StepInfo *s)
{
    StrBuf b;
    strbuf_init(&b);
    double gn_ratio = f->gn_median > 0 ? s->grad_norm / f->gn_median : NAN;
    double vals[] = {
        s->loss, f->ema_fast, f->ema_slow, f->best_fast, f->loss0, pow(10, f->log_update), gn_ratio,
        f->clip_n ? (double)f->clip_count / f->clip_n : NAN, f->probe_spd, f->probe_grow,
        f->forget_min, f->sat_max, f->dead_max, s->evaluated ? s->val_loss : NAN, f->best_val,
        f->n_evals ? f->last_val - f->best_val : NAN, f->n_evals ? f->train_at_last - f->last_val : NAN,
        s->epoch,
    };
    static const char *const keys[] = {
        "loss", "ema_fast", "ema_slow", "best_fast", "loss0", "update_ratio", "grad_spike", "clip_frac",
        "steps_per_decade", "growth_back", "forget_min", "sat_max", "dead_max", "val_loss", "best_val",
        "val_above_best", "train_minus_val", "epoch",
    };
    strbuf_appendf(&b, "{\"step\":%ld", s->step);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        strbuf_appendf(&b, ",\"%s\":", keys[i]);
        if (isfinite(vals[i]))
            strbuf_appendf(&b, "%.6g", vals[i]);
        else
            strbuf_append_str(&b, "null");
    }
    strbuf_appendf(&b, ",\"verdict\":\"%s\"}\n", findings_verdict(f));
    fwrite(b.data, 1, b.len, out);
    strbuf_free(&b);
}

static const char *mark(Severity s)
{
    return s == SEV_PROBLEM ? "✖ problem" : s == SEV_WARNING ? "▲ warning" : "• note";
}

static void print_report(const Trainer *t)
{
    Finding list[FINDINGS_MAX];
    int n = findings_list(&t->findings, list, FINDINGS_MAX);
    const char *verdict = findings_verdict(&t->findings);
    if (strcmp(verdict, "healthy") == 0)
        printf("verdict at step %ld: healthy%s\n", t->step, n ? " (notes below)" : ": nothing looks wrong");
    else
        printf("verdict at step %ld: %s — %s\n", t->step, verdict, list[0].text);
    for (int i = 0; i < n; i++) {
        const Finding *f = &list[i];
        int indent = 2 + 4 * f->depth;
        printf("\n%*s%s  %s", indent, "", mark(f->severity), findings_id_name(f->id));
        if (strcmp(f->subject, "run") != 0)
            printf(" (%s)", f->subject);
        printf(", since step %ld", f->since);
        if (f->cause != FD_NONE)
            printf(", follows from %s", findings_id_name(f->cause));
        printf("\n%*s%s\n", indent + 4, "", f->text);
        if (f->advice[0])
            printf("%*s→ %s\n", indent + 4, "", f->advice);
        if (f->n_numbers) {
            printf("%*s", indent + 4, "");
            for (int k = 0; k < f->n_numbers; k++) {
                char v[32];
                findings_format_number(f->numbers[k].key, f->numbers[k].value, v, sizeof v);
                printf("%s%s=%s", k ? "  " : "", f->numbers[k].key, v);
            }
            printf("\n");
        }
    }
}

int cmd_diagnose(int argc, char **argv)
{
    TrainConfig cfg;
    train_config_default(&cfg);
    snprintf(cfg.corpus, sizeof cfg.corpus, "%s", default_corpus_path());
    int overridden[64] = {0};
    int json = 0, quiet = 0;
    const char *resume = NULL, *signals_path = NULL, *save = NULL;
    const CliOpt opts[] = {
        {"resume", CLI_STR, &resume, 0, 0, "RUN", "diagnose the run saved in RUN, going on from where it stopped"},
        {"json", CLI_FLAG, &json, 0, 1, NULL, "print one JSON object: verdict, step, findings"},
        {"quiet", CLI_FLAG, &quiet, 0, 1, NULL, "no progress output"},
        {"signals", CLI_STR, &signals_path, 0, 0, "FILE", "write the engine's signals after every step as JSON lines"},
        {"save", CLI_STR, &save, 0, 0, "PATH", "save the run (with its findings) when done"},
    };
    CliSpec spec = {
        .usage = "rnnscope diagnose [training options | --resume RUN] [--steps N] [--json]",
        .summary = "Train headless for N steps (--steps; by default enough for every finding to be judged)\n"
                   "and print a verdict (\"healthy\", or the top cause), then each finding with its numbers\n"
                   "and advice. Exit status 0 whenever it ran, whatever it found.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .train = &cfg, .overridden = overridden,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    int steps_given = overridden[field_index("steps")];
    long want = cfg.steps;
    overridden[field_index("steps")] = 0; /* --steps is this diagnosis's length, not the run's total */
    Trainer t;
    rc = resume ? trainer_resume(&t, resume, &cfg, overridden, &err) : trainer_init(&t, &cfg, &err);
    if (rc)
        return report(&err);
    char line[4 * TRAIN_PATH_MAX];
    if (resume && !quiet && cli_resumed_corpus(resume, &t, overridden, line, sizeof line))
        fprintf(stderr, "rnnscope: %s\n", line);
    if (save && (rc = st_check_save_path(save, &err)) != 0) {
        trainer_free(&t);
        return report(&err);
    }
    FILE *sig = NULL;
    if (signals_path && !(sig = fopen(signals_path, "w"))) {
        err_set(&err, ERR_INPUT, "--signals %s: cannot open for writing: %s", signals_path, strerror(errno));
        trainer_free(&t);
        return report(&err);
    }
    long n = steps_given && want > 0 ? want : findings_steps_to_judge(&t.findings, t.cfg.eval_every);
    long end = t.step + n;
    if (!quiet)
        fprintf(stderr, "rnnscope: diagnosing %s %dx%d on %s from step %ld for %ld steps%s\n",
                cell_name(t.model.cfg.cell), t.model.cfg.layers, t.model.cfg.hidden, t.corpus.path, t.step, n,
                steps_given ? "" : " (enough to judge every finding; --steps N to choose)");
    cli_catch_stop_signals();
    Progress prog;
    progress_init(&prog, stderr, end, t.step, t.last_val_loss);
    int status = 0;
    while (!cli_stop_requested() && t.step < end) {
        StepInfo info;
        if (trainer_step(&t, &info, &err) != 0) {
            if (!strstr(err.msg, "not finite")) {
                progress_finish(&prog);
                status = report(&err);
                break;
            }
            break; /* a non-finite step ends the diagnosis: it is one of its findings */
        }
        if (sig)
            write_signals(sig, &t.findings, &info);
        if (!quiet)
            progress_update(&prog, &info);
    }
    if (!quiet)
        progress_finish(&prog);
    if (sig && (ferror(sig) | fclose(sig)) != 0 && status == 0) {
        err_set(&err, ERR_RUNTIME, "--signals %s: write failed", signals_path);
        status = report(&err);
    }
    /* never a blown-up state over the run it started from */
    int over_resume = resume && save && strcmp(resume, save) == 0 && t.findings.st[FD_DIVERGED].active;
    if (over_resume && !quiet)
        fprintf(stderr, "rnnscope: note: the run diverged; not saving its state over %s\n", save);
    if (status == 0 && save && !over_resume && (rc = trainer_save(&t, save, &err)) != 0)
        status = report(&err);
    if (status == 0) {
        if (json) {
            StrBuf b;
            strbuf_init(&b);
            findings_append_report_json(&b, &t.findings);
            strbuf_append_str(&b, "\n");
            fwrite(b.data, 1, b.len, stdout);
            strbuf_free(&b);
        } else {
            print_report(&t);
        }
    }
    trainer_free(&t);
    return status;
}
