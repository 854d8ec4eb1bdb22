/* app_watch.c — the dashboard's commands that mean something else while it
 * watches a run training elsewhere (rnnscope watch; a->opt.watch): the
 * run's own commands go to its control socket through the watching runner
 * (runner_watch.h), and what works only on a run this process trains says
 * so. Every other command (the views, :temp, :sample, :units, :compare, the
 * keys) works as in any dashboard. Part of the app (app_internal.h).
 */
#include "app_internal.h"

int app_watch_execute(App *a, const TuiCmd *c)
{
    switch (c->kind) {
    case TCMD_SAVE:
        if (c->has_arg || c->force) {
            app_msg(a, ROLE_WARN, ":save %s: a watched run saves to its own checkpoint; :save alone asks it to save "
                    "now", c->text);
            return 1;
        }
        runner_send(a->run, RUN_CMD_REMOTE, 0, 0, ":save");
        return 1;
    case TCMD_STOP: /* here it stops the run: it saves and exits */
        runner_send(a->run, RUN_CMD_REMOTE, 0, 0, ":stop");
        return 1;
    case TCMD_RUN:
    case TCMD_LUA:
    case TCMD_EXPR:
        if (c->kind == TCMD_RUN && !c->has_arg)
            return 0; /* :run alone: the run's own command */
        app_msg(a, ROLE_WARN, "Lua scripts drive a run this process trains, not a watched one; open a copy with "
                "rnnscope tui --resume CHECKPOINT to script it");
        return 1;
    case TCMD_LOAD:
        app_msg(a, ROLE_WARN, ":load: this dashboard watches one run; open another with rnnscope watch RUN or "
                "rnnscope tui --resume %s", c->text);
        return 1;
    default:
        return 0;
    }
}
