-- early_stop.lua — validate every K steps, keep the best checkpoint, and stop
-- when the validation loss has not improved for PATIENCE evaluations.
--
--   rnnscope run scripts/early_stop.lua [quick] [BEST.safetensors]
--
-- BEST defaults to a new file of this run's own, runs/early_stop-DATE-TIME.safetensors
-- (runs/ is made if missing). A BEST that holds another run is refused, not
-- overwritten.
--
-- The model is deliberately large for the small corpus and trained with a
-- high learning rate, so it overfits and the validation loss turns up.
local QUICK = QUICK or arg[1] == "quick"
local best_path = arg[QUICK and 2 or 1] or os.date("runs/early_stop-%Y%m%d-%H%M%S.safetensors")
local every, patience = QUICK and 5 or 50, QUICK and 2 or 4
local max_steps = QUICK and 300 or 5000

rnn.model{cell = "lstm", layers = 1, hidden = QUICK and 32 or 256, embed = QUICK and 16 or 64}
assert(rnn.trainer{optim = "adam", lr = QUICK and 0.05 or 0.004, batch = QUICK and 8 or 32,
                   seq = QUICK and 16 or 64, eval_every = every, val_frac = 0.1, dropout = 0})

local best, best_step, bad = math.huge, 0, 0
local kept, save_err = nil, nil -- the step whose checkpoint is on disk; why a save failed
rnn.on("eval", function(v, step)
  rnn.plot("val_loss", step, v)
  if v < best - 1e-4 then
    best, best_step, bad = v, step, 0
    local ok, err = rnn.save(best_path)
    if not ok then
      save_err = err
      return "stop"
    end
    kept = step
    print(string.format("step %5d  val %.4f  (best so far, saved)", step, v))
  else
    bad = bad + 1
    print(string.format("step %5d  val %.4f  (no improvement %d/%d)", step, v, bad, patience))
    if bad >= patience then return "stop" end
  end
end)
local r = assert(rnn.step(max_steps))
if save_err then
  error("stopped at step " .. r.step .. ": the best checkpoint could not be saved: " .. save_err, 0)
end
if r.stopped then
  print(string.format("early stop at step %d: the validation loss has not improved for %d evaluations",
                      r.step, patience))
else
  print(string.format("reached %d steps without stopping", r.step))
end
if not kept then
  print("no validation pass ran: no checkpoint was kept")
  return
end
print(string.format("best validation loss %.4f at step %d, kept in %s", best, kept, best_path))
-- the checkpoint on disk is the best one: load it and check
local info = assert(rnn.load(best_path))
assert(info.step == kept and kept == best_step, "the kept checkpoint is not the best step")
print(string.format("reloaded %s: step %d", best_path, info.step))
