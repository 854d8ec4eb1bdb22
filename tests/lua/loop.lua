-- loop.lua — a runaway script: a pure-Lua infinite loop that even swallows
-- errors with pcall. tests/e2e_lua.sh stops it with --timeout and Ctrl-C.
print("looping")
local function spin() local n = 0 while true do n = n + 1 end end
while true do pcall(spin) end
