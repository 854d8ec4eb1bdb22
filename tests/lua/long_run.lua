-- long_run.lua — rnn.step(n) with n far too large: the interrupt ends it
-- after the current step.
rnn.model{hidden = 8, embed = 4, layers = 1}
assert(rnn.trainer{batch = 2, seq = 4, threads = 1, eval_every = 0})
print("training")
rnn.step(1000000000)
print("not reached")
