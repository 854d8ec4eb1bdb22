-- interop.lua — checkpoints between Lua and the command line.
-- arg[1] = "save" PATH: train a little and save; arg[1] = "load" PATH: load a
-- run saved by `rnnscope train` and print its step and a probability.
local mode, path = arg[1], arg[2]
if mode == "save" then
  rnn.model{hidden = 16, embed = 8, layers = 1}
  assert(rnn.trainer{batch = 4, seq = 8, threads = 1, eval_every = 0})
  rnn.step(3)
  assert(rnn.save(path))
  print("saved step", rnn.info().step)
else
  local info = assert(rnn.load(path))
  print("loaded step", info.step, info.cell, info.hidden)
  local r = assert(rnn.step(1))
  print("continued to", r.step)
end
