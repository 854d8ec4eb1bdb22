/* lh_ui.c — what a script shows: the global print, rnn.log, rnn.plot,
 * rnn.status. Each goes to a LuaUi callback (lua_host.h), so the same script
 * prints to stdout headless and to the message pane in the dashboard.
 */
#include <lauxlib.h>

#include "lh_internal.h"

/* The arguments joined by sep, each through tostring. [-0, +1] */
static const char *join_args(lua_State *L, const char *sep)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addstring(&b, sep);
        luaL_tolstring(L, i, NULL); /* [-0, +1] */
        luaL_addvalue(&b);          /* [-1, +0] */
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* print(...): as Lua's, tab-separated, one message. */
static int ui_print(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *text = join_args(L, "\t");
    if (h->ui.print)
        h->ui.print(h->ui.ctx, text);
    return 0;
}

/* rnn.log(...): space-separated, one message in the log channel. */
static int ui_log(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *text = join_args(L, " ");
    if (h->ui.log)
        h->ui.log(h->ui.ctx, text);
    return 0;
}

/* rnn.plot(series, x, y): one point of a custom chart series. */
static int ui_plot(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *series = luaL_checkstring(L, 1);
    double x = luaL_checknumber(L, 2);
    double y = luaL_checknumber(L, 3);
    if (h->ui.plot)
        h->ui.plot(h->ui.ctx, series, x, y);
    return 0;
}

/* rnn.status(text): the status line. */
static int ui_status(lua_State *L)
{
    LuaHost *h = lh_host(L);
    const char *text = luaL_checkstring(L, 1);
    if (h->ui.status)
        h->ui.status(h->ui.ctx, text);
    return 0;
}

void lh_ui_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"log", ui_log}, {"plot", ui_plot}, {"status", ui_status}, {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
    lua_pushcfunction(L, ui_print);
    lua_setglobal(L, "print");
}
