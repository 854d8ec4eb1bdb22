/* app_settings.c — a setting command typed without its argument (:lr, :clip,
 * :temp, :topk, :smooth, :theme, :layout) shows the current value in the
 * message pane instead of changing anything (commands.h: spec->query).
 */
#include "app_internal.h"

/* "a, b, c" of the layouts or themes, into out. */
static void app_settings_join(char *out, size_t cap, char **names, int n)
{
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strncat(out, i ? ", " : "", cap - strlen(out) - 1);
        strncat(out, names[i], cap - strlen(out) - 1);
    }
}

int app_show_setting(App *a, const TuiCmd *c)
{
    if (c->has_arg)
        return 0;
    const TrainConfig *cfg = &a->view.cfg;
    char list[512];
    switch (c->kind) {
    case TCMD_LR: {
        runner_view(a->run, &a->view);
        double now = a->view.have_last ? a->view.last.lr : cfg->lr;
        if (a->view.have_last && fabs(now - cfg->lr) > 1e-6 * fabs(cfg->lr))
            app_msg(a, ROLE_TEXT, "learning rate %g at step %ld (base %g); :lr X sets the base", now, a->view.step,
                    (double)cfg->lr);
        else
            app_msg(a, ROLE_TEXT, "learning rate %g; :lr X sets it", (double)cfg->lr);
        break;
    }
    case TCMD_CLIP:
        runner_view(a->run, &a->view);
        if (cfg->clip > 0)
            app_msg(a, ROLE_TEXT, "gradient clipping at norm %g; :clip X sets it, :clip 0 turns it off",
                    (double)cfg->clip);
        else
            app_msg(a, ROLE_TEXT, "gradient clipping off; :clip X clips at norm X");
        break;
    case TCMD_STEPS:
        runner_view(a->run, &a->view);
        if (cfg->steps > 0)
            app_msg(a, ROLE_TEXT, "the run ends at step %ld (now %ld); :steps N moves the end, :steps 0 removes it",
                    cfg->steps, a->view.step);
        else
            app_msg(a, ROLE_TEXT, "the run has no end (now at step %ld); :steps N ends it at step N", a->view.step);
        break;
    case TCMD_TEMP:
        app_msg(a, ROLE_TEXT, "temperature %g; :temp X sets it", (double)a->temp);
        break;
    case TCMD_TOPK:
        app_msg(a, ROLE_TEXT, "the bars show the %d most likely tokens; :topk K sets it", a->topk);
        break;
    case TCMD_SMOOTH:
        app_msg(a, ROLE_TEXT, "loss smoothing %g (EMA weight, 0 = raw); :smooth S sets it", a->smoothing);
        break;
    case TCMD_LAYOUT: {
        char *names[16];
        int n = 0;
        while (n < 16 && layout_name(n)) {
            names[n] = (char *)layout_name(n);
            n++;
        }
        app_settings_join(list, sizeof list, names, n);
        app_msg(a, ROLE_TEXT, "layout %s; there are: %s", a->layout_name, list);
        break;
    }
    case TCMD_THEME: {
        char **names = NULL;
        int n = theme_list(&a->dirs, &names);
        app_settings_join(list, sizeof list, names, n);
        if (names)
            theme_list_free(names, n);
        app_msg(a, ROLE_TEXT, "theme %s%s%s; there are: %s", a->theme.name, a->theme.path[0] ? " from " : " (built in)",
                a->theme.path, list);
        break;
    }
    default:
        return 0;
    }
    return 1;
}
