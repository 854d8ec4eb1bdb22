/* app_internal.h — what the dashboard's source files share: the App state
 * and the functions one part of the app calls in another. Private to
 * src/tui/app*.c; the public interface is app.h.
 *
 *   app.c            the event loop, keys, commands, rendering
 *   app_lua.c        Lua scripts run from the dashboard (:run, :lua, = expr)
 *   app_inspector.c  the inspector screen's data, :compare and :gradcheck
 *   app_findings.c   the findings: snapshot, messages on events, selection
 *   app_sample.c     the sample pane: fresh samples, Enter's continuation
 *   app_settings.c   a setting command without its argument shows the value
 *   app_units.c      the units screen's data, keys and commands (:units :unit :find :mark)
 *   app_watch.c      the commands that mean something else while watching a run (rnnscope watch)
 */
#ifndef RNNSCOPE_APP_INTERNAL_H
#define RNNSCOPE_APP_INTERNAL_H

#include "app.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "commands.h"
#include "csvlog.h"
#include "findings.h"
#include "findview.h"
#include "gradcheck.h"
#include "history.h"
#include "input.h"
#include "inspector.h"
#include "layout.h"
#include "lua_host.h"
#include "panels.h"
#include "prompt.h"
#include "runner.h"
#include "sample.h"
#include "screen.h"
#include "tbwriter.h"
#include "units.h"
#include "unitview.h"
#include "textpane.h"
#include "theme.h"
#include "utf8join.h"

#define APP_FRAME_S 0.05        /* 20 frames a second at most */
#define APP_KEY_FRAME_S 0.02    /* a keystroke may take a frame sooner */
#define APP_SAMPLE_EVERY_S 5.0  /* a fresh sample this often */
#define APP_SAMPLE_BUDGET_S 0.008 /* sampling work per loop turn */
#define APP_SAMPLE_TOKENS 120   /* tokens of a periodic fresh sample */
#define APP_CONTINUE_TOKENS 200 /* tokens of Enter's continuation */
#define APP_MAX_POINTS HISTORY_RECENT
enum { APP_LUA_IDLE, APP_LUA_PAUSING, APP_LUA_READY, APP_LUA_WAIT_STEP, APP_LUA_WAIT_EVAL };
#define APP_UNITS_MAX_TOKENS 4000     /* of the held-out text the units screen shows */
#define APP_UNITS_MAX_BYTES (64u << 20) /* the units capture's memory, at most */
#define APP_UNITS_MAX_FLOP 6e9        /* its work (about a second on one core), at most... */
#define APP_UNITS_MIN_TOKENS 500      /* ...but never fewer tokens than this */
#define APP_UNITS_NGRAM_ORDER 5       /* the n-gram the units screen compares with */
#define APP_UNITS_NGRAM_TRAIN 4000000 /* training tokens it is counted on, at most */
#define APP_UNITS_RANK_MAX 64         /* entries of the ranked list */
#define APP_UNITS_PAGE 10             /* lines PgUp / PgDn move the units cursor */
#define APP_UNITS_SLICE_S 0.01        /* capture work per loop turn */
#define APP_UNITS_REFRESH_S 3.0       /* a fresh capture at most this often as the weights change... */
#define APP_UNITS_DUTY 0.02           /* ...and at most this share of the time */
enum { APP_UNITS_Q_NONE, APP_UNITS_Q_REGEX, APP_UNITS_Q_LINE, APP_UNITS_Q_INDENT, APP_UNITS_Q_SPAN, APP_UNITS_Q_LUA };
#define APP_PLOT_MAX_POINTS 1024 /* per rnn.plot series; halved (every other point kept) when full */

/* One custom chart series from rnn.plot. */
typedef struct {
    char name[32];
    double *x, *y;   /* (APP_PLOT_MAX_POINTS) */
    int n;
} AppPlot;

/* A saved run's loss curve for :compare. */
typedef struct {
    char name[64];     /* file name without directory and extension */
    double *x, *y;     /* (n) step, loss */
    int n;
} AppCmpRun;

/* The Lua session: the host, the script's phase and what it drew (app_lua.c
 * owns it: app_lua_open / app_lua_close). */
typedef struct {
    LuaHost *host;             /* NULL if Lua could not start */
    int running;               /* a script is running */
    int phase;                 /* APP_LUA_* */
    int was_paused;            /* the runner's state before the script */
    int attaching;             /* ignore run_changed for our own attach */
    long gen;                  /* runner generation the host's run belongs to */
    long want_step;            /* WAIT_STEP: the step count that means "landed" */
    long fails, evals;         /* the runner's counters when the request went out */
    float eval_value;
    long evals_seen;           /* the runner's evaluations whose 'eval' hooks have run */
    long fails_seen;           /* the runner's failed steps whose 'nonfinite' hooks have run */
    char status[128];          /* rnn.status text */
    AppPlot plots[PANELS_MAX_USER];
    int n_plots;
    int plot_full_warned;
    int ablation_changed;      /* rnn.ablate changed the list: the UI's weights need a fresh copy */
    long ablation_gen;         /* the generation whose weights last got the list applied */
} AppLua;

/* The inspector screen: histogram requests and results, the step it shows,
 * :compare runs (app_inspector.c owns it: app_inspector_init / _free). */
typedef struct {
    int hist_kind;             /* histogram of: 0 weights, 1 gradients, 2 activations (F9) */
    int hist_item;             /* which tensor or activation (F8) */
    char hist_what[64];        /* the last one asked for */
    long hist_asked;           /* histogram requests sent to the runner */
    long hist_asked_step;      /* the step the last one was sent at */
    double hist_asked_s;
    StepInfo cur;              /* the run's last step, as the inspector shows it */
    Histogram hist;
    char hist_shown[64], hist_note[300];
    long hist_step;
    char names[STEP_MAX_TENSORS][48];
    AppCmpRun cmp[INSPECTOR_MAX_RUNS];   /* :compare runs */
    int n_cmp;
    Role cmp_roles[5];
    InspectorRun cmp_view[INSPECTOR_MAX_RUNS], runs[INSPECTOR_MAX_RUNS];
} AppInspector;

/* The units screen (app_units.c owns it; app_units_free). */
typedef struct {
    int on;                    /* the units screen is shown */
    UnitViewMode mode;
    int layer, unit, kind;     /* the unit the text is coloured by */
    int typed;                 /* 1: the typed text, 0: the held-out text */
    UnitText text;             /* the text shown */
    int have_text;
    UnitCapture cap;           /* the activations shown (complete) */
    int have_cap;
    UnitCapture next;          /* the capture in progress */
    int computing;
    int shown_partial;         /* next is of a new text and shown as it fills */
    double busy_s;             /* time spent on next so far */
    double next_due_s;         /* no refresh for new weights before this */
    int want_refresh;
    long cap_wver, cap_gen, cap_step, shown_step; /* what next (cap_*: pm_seq, generation, step) and
                                                     cap (shown_step) were taken from */
    int cap_typed;
    CellType cell;             /* of the run cap_gen */
    char cap_text[1024];       /* the typed text next was taken from */
    char typed_text[1024];     /* the input line's last non-empty prompt */
    int *heldout;              /* (n_heldout) the held-out split's first ids, of heldout_gen */
    size_t n_heldout;
    long heldout_gen;
    int scroll, cursor, mark_a, mark_b;
    int query;                 /* APP_UNITS_Q_*: what the ranked list answers, re-run on each capture */
    char query_text[256];
    int announce;              /* say the best unit when the ranking is first computed */
    UnitScore rank[APP_UNITS_RANK_MAX];
    int n_rank, rank_sel, rank_span;
    char rank_title[300];
    NGram *ngram;              /* counted on the training split of ngram_gen */
    long ngram_gen;
    double *ngram_loss;        /* (text.n) */
    UnitErrBucket buckets[UNITS_ERR_BUCKETS];
    int have_buckets;
    char note[600];
} AppUnits;

typedef struct {
    AppOptions opt;
    Screen scr;
    Grid grid;
    Layout lay;
    char layout_name[32];
    Theme theme;
    ThemeDirs dirs;
    Runner *run;               /* the trainer thread; read through runner_view and friends */
    RunView view;              /* runner_view, refreshed every loop turn (app_pull_runner) */
    /* the UI's own weights, tokenizer and samplers */
    long generation;
    Model pm;
    int have_pm;
    Tokenizer tok;
    Prompt prompt;
    long wver;
    long wstep;                /* the step the UI's weights are from */
    long pm_seq;               /* counts the copies into pm (new weights, an ablation, a new run) */
    PromptRnn smp;             /* the streaming sample */
    float *scratch;            /* (SAMPLE_SCRATCH_FLOATS(V)) for sample_pick */
    Rng rng;
    int sampling;              /* tokens left in the streaming sample */
    double next_sample_s;
    Utf8Join sample_utf8;      /* an unfinished character of the sample (byte tokens) */
    int sample_user;           /* the streaming sample continues typed text */
    int sample_shown;          /* a sample came from the weights of sample_gen / sample_wver */
    long sample_gen, sample_wver;
    /* panes and settings */
    TextPane *msgs, *sample;
    float temp;
    int topk;
    double smoothing;
    int log_y;
    long window;
    int inspector;
    int help;
    int help_scroll;           /* the help screen's first row */
    char text[1024];           /* the text the prompt state follows */
    int topk_n;
    int top_ids[PANELS_MAX_TOPK];
    float top_probs[PANELS_MAX_TOPK];
    char top_labels[PANELS_MAX_TOPK][PANELS_LABEL_MAX]; /* app_bars_labels: "" = the token's own */
    PromptRnn label_rnn;       /* scratch stream for app_bars_labels */
    /* frame control */
    int dirty;
    double last_frame_s;
    double key_s;              /* time of the first key not yet on screen; 0 = none */
    /* chart scratch */
    double *lx, *ly, *sy, *vx, *vy;
    char save_path[TRAIN_PATH_MAX];
    long loads_seen;           /* the runner's successful :loads already followed by save_path */
    int quit;
    AppLua lua;                /* the Lua session (app_lua.c) */
    FILE *debug;               /* RNNSCOPE_DEBUG_LOG: key-to-frame latencies */
    double lat_sum, lat_max;
    long lat_n;
    AppInspector insp;         /* the inspector screen (app_inspector.c) */
    AppUnits units;            /* the units screen (app_units.c) */
    Findings fsnap;            /* the runner's findings engine, copied (runner_findings) */
    Finding findings[FINDINGS_MAX]; /* findings_list of fsnap, this frame */
    int n_findings;
    long findings_seen;        /* events already said in the messages (findings_next_event) */
    long findings_step;        /* the step fsnap was taken at for the messages */
    long findings_fails;       /* and the runner's failed-step count then */
    signed char findings_said[FD_COUNT]; /* per finding: the severity said while active, -1 none */
    FindingId find_sel;        /* the finding the inspector details (F11/F12), FD_NONE: none */
    int find_sel_index;        /* its index in findings[] this frame, -1: none */
    CsvLog csv;                /* --csv, --tensorboard (written by the runner) */
    TbWriter tb;
} App;

/* app.c */
double app_now(void);
void app_msg(App *a, Role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void app_set_layout(App *a, const char *name);

/* app_units.c */
void app_units_free(App *a);
void app_units_tick(App *a);           /* capture work, refreshes */
int app_units_busy(const App *a);      /* a capture is in progress: the loop must not sleep */
void app_units_set_on(App *a, int on); /* the layout switched to or from the units screen */
void app_units_show(App *a);           /* switch to the units screen */
int app_units_key(App *a, int key);    /* 1 if the units screen took the key */
int app_units_enter(App *a);           /* Enter on an empty line; 1 if taken */
void app_units_find(App *a, const char *arg);
/* A ranking computed elsewhere (rnn.units): shown in the list, not re-run on refreshes. */
void app_units_take_ranking(App *a, const UnitScore *s, int n, int kind, const char *find);
void app_units_mark(App *a);
void app_units_select(App *a, const char *arg);
void app_units_command(App *a, const char *arg);
void app_units_fill(App *a, UnitViewData *d);
void app_units_draw(App *a);

/* app_sample.c */
void app_start_sample(App *a, int continue_prompt, int length); /* fresh, or continuing a->text */
void app_continue_text(App *a, const char *line);              /* Enter on plain text */
void app_advance_sample(App *a);
void app_sample_tick(App *a, double now);                      /* the periodic fresh sample */

/* app_settings.c: 1 if c was a setting without its argument (its value is shown) */
int app_show_setting(App *a, const TuiCmd *c);

/* app_lua.c */
void app_lua_open(App *a, const TrainConfig *defaults);
void app_lua_close(App *a);
void app_lua_hooks_tick(App *a);
void app_route_lua(App *a, const TuiCmd *c);
void app_lua_init_file(App *a);
void app_lua_tick(App *a);
int app_lua_blocks(App *a, const char *what);
/* After each copy of the runner's weights into a->pm: remove the units the
 * host's rnn.ablate list names (when it belongs to the runner's run). */
void app_lua_apply_ablation(App *a);

/* app_bars.c */
void app_bars_labels(App *a);

/* app_inspector.c */
void app_inspector_init(App *a);
void app_inspector_free(App *a);
void app_inspector_tick(App *a);
void app_hist_cycle(App *a, int kind_delta, int item_delta);
void app_inspector_fill(App *a, PanelData *d);
void app_compare(App *a, const char *args);
void app_gradcheck(App *a, const char *arg);

/* app_watch.c: 1 if c was taken (watching only: a->opt.watch) */
int app_watch_execute(App *a, const TuiCmd *c);

/* app_findings.c */
void app_findings_forget(App *a);
void app_findings_tick(App *a);
void app_findings_fill(App *a, PanelData *d);
void app_findings_select(App *a, int delta);

#endif
