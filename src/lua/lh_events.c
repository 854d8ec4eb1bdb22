/* lh_events.c — rnn.on(event, fn) and calling the hooks.
 *
 * Events: 'step' (fn(step_table)), 'eval' (fn(val_loss, step)), 'save'
 * (fn(path, step)), 'nonfinite' (fn(message, step)). Hooks of an event run in
 * the order they were added; a hook that returns "stop" (or calls rnn.pause)
 * ends the running rnn.step(n) after this step. A hook that raises is
 * reported with its traceback and removed, and the run stops as with "stop",
 * so a broken hook cannot go on firing every step.
 *
 * Storage: the registry holds {event = {handle, ...}}; a handle is a table
 * {event = name, fn = function} whose metatable gives it :remove().
 */
#include <string.h>

#include <lauxlib.h>

#include "lh_internal.h"

#define HOOKS_KEY "rnnscope.hooks"
#define HANDLE_MT "rnnscope.hook"

static const char *const events[] = {"step", "eval", "save", "nonfinite", "finding", NULL};

/* Push the hook list of event (created if missing). [-0, +1] */
static void push_list(lua_State *L, const char *event)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, HOOKS_KEY); /* [-0, +1] hooks */
    luaL_getsubtable(L, -1, event);                    /* [-0, +1] hooks[event] */
    lua_remove(L, -2);                                 /* [-1, +0] */
}

/* Remove the handle at index idx from its list; 1 if it was there. */
static int remove_handle(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_getfield(L, idx, "event");                /* [-0, +1] */
    const char *event = lua_tostring(L, -1);
    if (!event) {
        lua_pop(L, 1);
        return 0;
    }
    push_list(L, event);                          /* [-0, +1] list */
    lua_Integer n = luaL_len(L, -1);
    int found = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);                    /* [-0, +1] */
        int same = lua_rawequal(L, -1, idx);
        lua_pop(L, 1);                            /* [-1, +0] */
        if (same) {
            for (lua_Integer j = i; j < n; j++) { /* shift the rest down */
                lua_rawgeti(L, -1, j + 1);
                lua_rawseti(L, -2, j);
            }
            lua_pushnil(L);
            lua_rawseti(L, -2, n);
            found = 1;
            break;
        }
    }
    lua_pop(L, 2);                                /* [-2, +0] list, event */
    lua_pushboolean(L, 1);
    lua_setfield(L, idx, "removed");
    return found;
}

/* handle:remove() -> true if it was active */
static int events_handle_remove(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushboolean(L, remove_handle(L, 1));
    return 1;
}

static int events_handle_tostring(lua_State *L)
{
    lua_getfield(L, 1, "event");
    lua_getfield(L, 1, "removed");
    lua_pushfstring(L, "hook '%s'%s", lua_tostring(L, -2) ? lua_tostring(L, -2) : "?",
                    lua_toboolean(L, -1) ? " (removed)" : "");
    return 1;
}

/* rnn.on(event, fn) -> handle */
static int events_on(lua_State *L)
{
    int which = luaL_checkoption(L, 1, NULL, events);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_createtable(L, 0, 3);                    /* [-0, +1] handle */
    lua_pushstring(L, events[which]);
    lua_setfield(L, -2, "event");
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "fn");
    luaL_setmetatable(L, HANDLE_MT);
    push_list(L, events[which]);                 /* [-0, +1] list */
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, luaL_len(L, -2) + 1);     /* append the handle */
    lua_pop(L, 1);                               /* [-1, +0] */
    return 1;
}

int lh_events_count(lua_State *L, const char *event)
{
    push_list(L, event);                         /* [-0, +1] */
    int n = (int)lua_rawlen(L, -1);
    lua_pop(L, 1);                               /* [-1, +0] */
    return n;
}

int lh_events_fire(LuaHost *h, lua_State *L, const char *event, int nargs)
{
    int base = lua_gettop(L) - nargs + 1;
    int stop = 0;
    push_list(L, event);                         /* [-0, +1] list */
    lua_Integer n = luaL_len(L, -1);
    /* a snapshot, so hooks may add or remove hooks while we go */
    lua_createtable(L, (int)n, 0);               /* [-0, +1] snapshot */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    int snap = lua_gettop(L);
    lua_pushcfunction(L, lh_traceback);          /* [-0, +1] message handler */
    int msgh = lua_gettop(L);
    for (lua_Integer i = 1; i <= n && !h->interrupt; i++) {
        lua_rawgeti(L, snap, i);                 /* [-0, +1] handle */
        int handle = lua_gettop(L);
        lua_getfield(L, handle, "removed");
        int removed = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (removed) {
            lua_pop(L, 1);
            continue;
        }
        lua_getfield(L, handle, "fn");           /* [-0, +1] */
        for (int a = 0; a < nargs; a++)
            lua_pushvalue(L, base + a);          /* [-0, +nargs] */
        h->mem_enforce++;
        int st = lua_pcall(L, nargs, 1, msgh);
        h->mem_enforce--;
        if (st == LUA_ERRMEM) { /* the message handler does not run for these */
            char mem[128];
            lh_mem_message(h, mem, sizeof mem);
            lua_pop(L, 1);
            lua_pushstring(L, mem);
        }
        if (st == LUA_OK) {
            if (lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "stop"))
                stop = 1;
            lua_pop(L, 1);                       /* [-1, +0] the result */
        } else if (h->interrupt) {
            lua_pop(L, 1);                       /* the interrupt ends the script instead */
            stop = 1;
        } else {
            if (!h->hook_error[0])
                snprintf(h->hook_error, sizeof h->hook_error, "%s", lua_tostring(L, -1));
            char what[64];
            snprintf(what, sizeof what, "error in a '%s' hook (removed)", event);
            lh_report_error(h, L, what);         /* [-1, +0] */
            remove_handle(L, handle);
            h->hook_errors++;
            stop = 1;
        }
        lua_pop(L, 1);                           /* [-1, +0] handle */
    }
    lua_settop(L, base - 1);                     /* drop msgh, snapshot, list and the args */
    return stop;
}

void lh_events_register(lua_State *L)
{
    if (luaL_newmetatable(L, HANDLE_MT)) {       /* [-0, +1] */
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, events_handle_remove);
        lua_setfield(L, -2, "remove");
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, events_handle_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);                               /* [-1, +0] */
    lua_pushcfunction(L, events_on);
    lua_setfield(L, -2, "on");
}
