-- test_hooks.lua — hooks fire once per step, in order; a change made in a
-- hook applies from the next step; "stop" ends the run; a hook that raises is
-- reported (tests/e2e_lua.sh checks the traceback on stderr), removed, and the
-- run goes on uncorrupted; eval hooks; rnn.step is refused inside a hook.
local T = dofile((arg[0]:match("(.*/)") or "./") .. "check.lua")
local check, raises, near = T.check, T.raises, T.near

rnn.model{cell = "gru", layers = 1, hidden = 16, embed = 8}
assert(rnn.trainer(T.small{lr = 0.01, eval_every = 3, eval_chunks = 2}))

-- order and count
local seen = {}
local h1 = rnn.on("step", function(s) seen[#seen + 1] = "a" .. s.step end)
local h2 = rnn.on("step", function(s) seen[#seen + 1] = "b" .. s.step end)
local r = rnn.step(3)
check(table.concat(seen, " ") == "a1 b1 a2 b2 a3 b3", "step hooks fire once per step, in the order added (" .. table.concat(seen, " ") .. ")")
check(r.step == 3, "rnn.step(3) after hooks")
check(h1:remove() == true and h1:remove() == false, "handle:remove() removes once")
seen = {}
rnn.step(2)
check(table.concat(seen, " ") == "b4 b5", "a removed hook no longer fires")
h2:remove()

-- eval hooks (eval_every = 3) and rnn.eval
local evals = {}
rnn.on("eval", function(v, step) evals[#evals + 1] = {v, step} end)
local r6 = rnn.step(1)
check(#evals == 1 and evals[1][2] == 6 and evals[1][1] == r6.val_loss, "'eval' hook fires on the scheduled validation with (loss, step)")
local v = rnn.eval()
check(#evals == 2 and evals[2][1] == v, "'eval' hook fires on rnn.eval")

-- a change in a hook applies from the next step
rnn.on("step", function(s) if s.step == 8 then rnn.lr(0.002) end end)
local lrs = {}
rnn.on("step", function(s) lrs[s.step] = s.lr end)
rnn.step(3)
check(near(lrs[8], 0.01, 1e-6) and near(lrs[9], 0.002, 1e-6), "lr set in a hook at step 8 is used from step 9")

-- clip changed in a hook
rnn.on("step", function(s) if s.step == 10 then rnn.clip(1e-6) end end)
local clipped = {}
rnn.on("step", function(s) clipped[s.step] = s.clipped end)
rnn.step(2)
check(clipped[11] == true, "clip set in a hook applies to the next step")
rnn.clip(0)

-- "stop"
local stopper = rnn.on("step", function(s) if s.step == 13 then return "stop" end end)
local rs = rnn.step(100)
check(rs.step == 13 and rs.steps == 2 and rs.stopped == true, "a hook returning 'stop' ends rnn.step(n) early")
stopper:remove()

-- an error in a hook
local calls = 0
rnn.on("step", function(s) calls = calls + 1; if s.step == 15 then error("hook failure at step 15") end end)
local re = rnn.step(5)
check(re.stopped and re.step == 15 and re.hook_error and re.hook_error:find("hook failure at step 15", 1, true),
      "a hook error ends the run early and is in hook_error")
local after = rnn.step(3)
check(after.step == 18 and after.hook_error == nil and calls == 2, "the failing hook is removed; training goes on")
check(after.loss == after.loss and after.loss > 0 and after.loss < 10, "the run is not corrupted (finite loss)")
local hs = rnn.history("step")
local contiguous = true
for i = 1, #hs do if hs[i] ~= i then contiguous = false end end
check(#hs == 18 and contiguous, "history has every step exactly once")

-- rnn.step inside a hook is refused (reported as a hook error)
rnn.on("step", function() rnn.step(1) end)
local rr = rnn.step(1)
check(rr.hook_error and rr.hook_error:find("not from a hook", 1, true), "rnn.step inside a hook is an error")

-- 'nonfinite': a learning rate so high the loss blows up
local nf = {}
rnn.on("nonfinite", function(msg, step) nf[#nf + 1] = {msg, step} end)
rnn.set{optim = "sgd", lr = 1e25, clip = 0}
local bad, msg = rnn.step(20)
check(bad == nil and type(msg) == "string" and msg:find("not finite", 1, true), "a non-finite step returns nil, message")
check(#nf == 1 and nf[1][1] == msg, "'nonfinite' hook fires once with the message")
local w = rnn.param("rnn.weight_hh_l0")
local finite = true
for i = 1, #w do if w[i] ~= w[i] or math.abs(w[i]) == math.huge then finite = false end end
check(finite, "after a non-finite step the parameters are still finite")
raises(function() rnn.on("stepp", print) end, "invalid option", "rnn.on: unknown event is an error")
raises(function() rnn.on("step", 3) end, "function expected", "rnn.on: a non-function is an error")
T.done()
