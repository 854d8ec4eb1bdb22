-- schedule.lua — a custom learning-rate schedule written as a hook: linear
-- warmup, then a cosine decay with warm restarts (SGDR), something the
-- built-in --schedule does not offer. The hook sets the lr after each step,
-- so each step uses the rate the schedule gives for its own index.
--
--   rnnscope run scripts/schedule.lua          (600 steps)
--   rnnscope run scripts/schedule.lua quick    (40 steps)
local QUICK = QUICK or arg[1] == "quick"
local total = QUICK and 40 or 600
local warmup = total // 10
local cycle = (total - warmup) // 3          -- three cosine cycles after the warmup
local base, floor = 3e-3, 1e-4

-- the lr for the step with 1-based index s
local function lr_at(s)
  if s <= warmup then return base * s / warmup end
  local t = ((s - warmup - 1) % cycle) / cycle -- position within the cycle, [0, 1)
  return floor + (base - floor) * 0.5 * (1 + math.cos(math.pi * t))
end

rnn.model{cell = "lstm", layers = 1, hidden = QUICK and 32 or 128, embed = QUICK and 16 or 32}
assert(rnn.trainer{optim = "adam", lr = lr_at(1), batch = QUICK and 8 or 32, seq = QUICK and 16 or 64,
                   eval_every = 0})
local mismatches = 0
rnn.on("step", function(s)
  if math.abs(s.lr - lr_at(s.step)) > 1e-6 * lr_at(s.step) then mismatches = mismatches + 1 end
  rnn.lr(lr_at(s.step + 1))                   -- takes effect from the very next step
  rnn.plot("lr", s.step, s.lr)
  rnn.plot("loss", s.step, s.loss)
  if s.step % (total // 10) == 0 then
    print(string.format("step %4d  lr %.6f  loss %.4f", s.step, s.lr, s.loss))
  end
end)
local r = rnn.step(total)
print(string.format("done: %d steps, final loss %.4f; every step used the scheduled lr: %s",
                    r.step, r.loss, mismatches == 0 and "yes" or ("no, " .. mismatches .. " did not")))
assert(mismatches == 0, "the schedule was not followed")
