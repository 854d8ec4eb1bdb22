/* lh_sandbox.c — what a script may not touch unless run with --unsafe.
 *
 * Removed: running programs (io.popen, os.execute), ending or renaming things
 * behind the host's back (os.exit, os.remove, os.rename, os.tmpname), native
 * code (package.loadlib, the C module searchers) and the debug library except
 * debug.traceback. Precompiled chunks are refused (load, loadfile, dofile and
 * require read text only), because malformed bytecode can crash the VM.
 * Kept: io.open and friends (scripts write their own result files), os.clock,
 * os.time, os.date, os.getenv, require of Lua modules.
 *
 * Not a security boundary against a hostile script (it can still fill the
 * disk or loop forever — the interrupt handles the latter); it keeps the
 * shipped and shared experiment scripts from doing surprising things.
 */
#include <lauxlib.h>

#include "lh_internal.h"

static const char sandbox_lua[] =
    "local load, loadfile, select, error = load, loadfile, select, error\n"
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
    "  if select('#', ...) > 0 then return loadfile(path, 't', ...) end\n"
    "  return loadfile(path, 't')\n"
    "end\n"
    "_G.dofile = function(path)\n"
    "  local f, err = loadfile(path, 't')\n"
    "  if not f then error(err, 2) end\n"
    "  return f()\n"
    "end\n"
    "local searchpath = package.searchpath\n"
    "package.searchers = {package.searchers[1], function(name)\n"
    "  local path, err = searchpath(name, package.path)\n"
    "  if not path then return err end\n"
    "  local f, lerr = loadfile(path, 't')\n"
    "  if not f then error(lerr, 2) end\n"
    "  return f, path\n"
    "end}\n";

void lh_sandbox_apply(lua_State *L)
{
    /* our own constant text: a failure here is a bug, reported loudly */
    if (luaL_loadbuffer(L, sandbox_lua, sizeof sandbox_lua - 1, "=sandbox") != LUA_OK ||
        lua_pcall(L, 0, 0, 0) != LUA_OK)
        luaL_error(L, "sandbox setup failed: %s", lua_tostring(L, -1));
}
