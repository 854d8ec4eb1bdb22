/* lh_sandbox.c — what a script may not touch unless run with --unsafe.
 *
 * Removed: running programs (io.popen, os.execute), ending or renaming things
 * behind the host's back (os.exit, os.remove, os.rename, os.tmpname), native
 * code (package.loadlib, the C module searchers) and the debug library except
 * debug.traceback. Precompiled chunks are refused (load, loadfile, dofile and
 * require read text only), because malformed bytecode can crash the VM.
 * Files: io.open, io.lines, io.input, io.output, loadfile, dofile, require
 * and rnn.save go through lh_paths_check (lh_paths.c): never /proc, /sys or
 * /dev; reading elsewhere; writing only under the run folders and the paths
 * given to the script. Kept: os.clock, os.time, os.date, os.getenv.
 *
 * What it does not stop: a script can still fill the disk it may write to or
 * loop (the interrupt and --timeout handle the latter).
 *
 * Limits (lh_sandbox_limits, with --unsafe too): the memory cap is the
 * allocator's (lua_host.c); string.rep checks its result's size against it
 * first, so ('x'):rep(2^40) fails at once with the cap's message.
 */
#include <lauxlib.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "lh_internal.h"

static const char sandbox_lua[] =
    "local check = ...\n"
    "local load, loadfile, select, error, type = load, loadfile, select, error, type\n"
    "local open, lines, input, output = io.open, io.lines, io.input, io.output\n"
    "local function writes(mode) return type(mode) == 'string' and mode:find('[wa+]') ~= nil end\n"
    "io.open = function(path, mode)\n"
    "  local ok, why = check(path, writes(mode))\n"
    "  if not ok then return nil, why, 13 end\n"
    "  return open(path, mode)\n"
    "end\n"
    "io.lines = function(path, ...)\n"
    "  if path ~= nil then local ok, why = check(path, false); if not ok then error(why, 2) end end\n"
    "  return lines(path, ...)\n"
    "end\n"
    "io.input = function(f)\n"
    "  if type(f) == 'string' then local ok, why = check(f, false); if not ok then error(why, 2) end end\n"
    "  return input(f)\n"
    "end\n"
    "io.output = function(f)\n"
    "  if type(f) == 'string' then local ok, why = check(f, true); if not ok then error(why, 2) end end\n"
    "  return output(f)\n"
    "end\n"
    "local function readable(path)\n"
    "  if path == nil then return true end\n"
    "  return check(path, false)\n"
    "end\n"
    "io.popen = nil\n"
    "for _, k in ipairs{'execute', 'exit', 'remove', 'rename', 'tmpname'} do os[k] = nil end\n"
    "package.loadlib = nil\n"
    "package.cpath = ''\n"
    "local traceback = debug.traceback\n"
    "debug = {traceback = traceback}\n"
    "package.loaded.debug = debug\n"
    "_G.load = function(chunk, name, mode, ...)\n"
    "  if select('#', ...) > 0 then return load(chunk, name, 't', ...) end\n"
    "  return load(chunk, name, 't')\n"
    "end\n"
    "_G.loadfile = function(path, mode, ...)\n"
    "  local ok, why = readable(path)\n"
    "  if not ok then return nil, why end\n"
    "  if select('#', ...) > 0 then return loadfile(path, 't', ...) end\n"
    "  return loadfile(path, 't')\n"
    "end\n"
    "_G.dofile = function(path)\n"
    "  local ok, why = readable(path)\n"
    "  if not ok then error(why, 2) end\n"
    "  local f, err = loadfile(path, 't')\n"
    "  if not f then error(err, 2) end\n"
    "  return f()\n"
    "end\n"
    "local gsub, concat = string.gsub, table.concat\n"
    "package.searchpath = function(name, path, sep, rep)\n"
    "  sep, rep = sep or '.', rep or '/'\n"
    "  if sep ~= '' then name = gsub(name, gsub(sep, '%p', '%%%0'), (gsub(rep, '%%', '%%%%'))) end\n"
    "  local tried = {}\n"
    "  for t in path:gmatch('[^;]+') do\n"
    "    local f = gsub(t, '%?', (gsub(name, '%%', '%%%%')))\n"
    "    if check(f, false) then local h = open(f, 'r'); if h then h:close(); return f end end\n"
    "    tried[#tried + 1] = '\\n\\tno file \\'' .. f .. '\\''\n"
    "  end\n"
    "  return nil, concat(tried)\n"
    "end\n"
    "local searchpath = package.searchpath\n"
    "package.searchers = {package.searchers[1], function(name)\n"
    "  local path, err = searchpath(name, package.path)\n"
    "  if not path then return err end\n"
    "  local ok, why = readable(path)\n"
    "  if not ok then error(why, 2) end\n"
    "  local f, lerr = loadfile(path, 't')\n"
    "  if not f then error(lerr, 2) end\n"
    "  return f, path\n"
    "end}\n";

/* check(path, write) -> true | false, why: lh_paths_check for the sandbox's wrappers. */
static int sandbox_check(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int write = lua_toboolean(L, 2);
    char why[PATH_MAX + 200];
    if (lh_paths_check(&lh_host(L)->paths, path, write, why, sizeof why) != 0) {
        lua_pushboolean(L, 0);
        lua_pushstring(L, why);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

void lh_sandbox_apply(lua_State *L)
{
    /* our own constant text: a failure here is a bug, reported loudly */
    if (luaL_loadbuffer(L, sandbox_lua, sizeof sandbox_lua - 1, "=sandbox") != LUA_OK)
        luaL_error(L, "sandbox setup failed: %s", lua_tostring(L, -1));
    lua_pushcfunction(L, sandbox_check);                  /* [-0, +1] the chunk's ... */
    if (lua_pcall(L, 1, 0, 0) != LUA_OK)
        luaL_error(L, "sandbox setup failed: %s", lua_tostring(L, -1));
}

/* string.rep(s, n [, sep]) refusing a result above the memory cap; the
 * original is upvalue 1. */
static int limited_rep(lua_State *L)
{
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    LuaHost *h = lh_host(L);
    double total = n > 0 ? (double)l * (double)n + (double)lsep * (double)(n - 1) : 0;
    if (h->mem_limit != SIZE_MAX && total > (double)h->mem_limit) {
        char msg[128], size[32];
        lh_mem_message(h, msg, sizeof msg);
        luahost_format_size(total >= (double)SIZE_MAX ? SIZE_MAX - 1 : (size_t)total, size, sizeof size);
        h->mem_refused = 1;
        return luaL_error(L, "string.rep: the result would be %s; %s", size, msg);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

void lh_sandbox_limits(lua_State *L)
{
    lua_getglobal(L, "string");         /* [-0, +1] */
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "rep");     /* [-0, +1] the original */
        lua_pushcclosure(L, limited_rep, 1);
        lua_setfield(L, -2, "rep");     /* [-1, +0] also ('x'):rep: strings index this table */
    }
    lua_pop(L, 1);                      /* [-1, +0] */
}
