/* cmd_watch.c — `rnnscope watch RUN`: the dashboard on a run that trains
 * somewhere else (another terminal, nohup, mpirun, SLURM), following its
 * --log file and checkpoint as they grow and steering it through its control
 * socket. RUN is the --log file, or a checkpoint whose "run.log" metadata
 * names it. The watching itself is src/tui/runner_watch.c; this file checks
 * the arguments and the terminal and wires in the control client (control.h),
 * which the tui layer cannot include. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "control.h"
#include "flags.h"
#include "runner_watch.h"
#include "screen.h"

int cmd_watch(int argc, char **argv)
{
    const char *checkpoint = NULL, *theme = NULL, *layout = NULL;
    const CliOpt opts[] = {
        {"checkpoint", CLI_STR, &checkpoint, 0, 0, "CKPT",
         "the run's checkpoint, when the log does not name it (a log an older rnnscope wrote) or this machine "
         "mounts it elsewhere"},
        {"theme", CLI_STR, &theme, 0, 0, "NAME", "colour theme: default, light, solarized-dark, gruvbox, monochrome or a file"},
        {"layout", CLI_STR, &layout, 0, 0, "NAME", "panel layout: default, wide, tall, inspector or units"},
    };
    char *pos[1];
    CliSpec spec = {
        .usage = "rnnscope watch RUN [--checkpoint CKPT] [--theme NAME] [--layout NAME]",
        .summary = "The live dashboard on a run that trains elsewhere (another terminal, nohup, mpirun,\n"
                   "SLURM): RUN is its --log FILE, or its checkpoint when that names the log (run.log).\n"
                   "The panels follow the log as it grows and the checkpoint at each save; a finished\n"
                   "run shows whole. :pause :run :step :lr :clip :save :stop and F5/F6 go to the run's\n"
                   "control socket. Nothing of the run is written; :quit leaves it training.",
        .opts = opts, .n_opts = (int)(sizeof opts / sizeof opts[0]),
        .min_pos = 1, .max_pos = 1, .pos = pos,
    };
    Err err;
    err_clear(&err);
    int rc = cli_parse(&spec, argc, argv, &err);
    if (rc < 0)
        return 0;
    if (rc)
        return report(&err);
    static WatchOptions wo; /* large: off the stack */
    memset(&wo, 0, sizeof wo);
    if ((rc = runner_watch_resolve(pos[0], checkpoint, &wo, &err)) != 0)
        return report(&err);
    wo.control = control_send;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        err_set(&err, ERR_INPUT, "rnnscope watch needs a terminal on stdin and stdout; without one, rnnscope control "
                "%s :status asks the run how it is", pos[0]);
        return report(&err);
    }
    char why[128];
    if (screen_term_check(why, sizeof why) != 0) {
        const char *term = getenv("TERM") && *getenv("TERM") ? getenv("TERM") : "(unset)";
        err_set(&err, ERR_INPUT, "cannot open the dashboard on TERM=%s: %s; rnnscope control %s :status asks the "
                "run how it is without one", term, why, pos[0]);
        return report(&err);
    }
    RunnerWatch *w;
    Trainer *t;
    if ((rc = runner_watch_open(&wo, &w, &t, &err)) != 0)
        return report(&err);
    AppOptions o;
    memset(&o, 0, sizeof o);
    o.theme = theme;
    o.layout = layout;
    o.save_path = wo.checkpoint[0] ? wo.checkpoint : wo.log; /* never saved to: the dashboard only names it */
    o.watch = w;
    rc = app_run(t, &o, &err);
    runner_watch_free(w);
    if (rc && err.msg[0])
        return report(&err);
    return rc;
}
