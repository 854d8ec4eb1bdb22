-- syntax_error.lua — a script that does not parse: exit 1, the message names the line.
local x = = 3
