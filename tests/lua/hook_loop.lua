-- hook_loop.lua — a step hook that never returns; the interrupt must stop it
-- and leave the model as after the last complete step.
rnn.model{hidden = 8, embed = 4, layers = 1}
assert(rnn.trainer{batch = 2, seq = 4, threads = 1, eval_every = 0})
rnn.step(2)
print("before hook", rnn.info().step)
rnn.on("step", function() while true do end end)
rnn.step(5)
print("not reached")
