-- lr_sweep.lua — short runs over a range of learning rates, each plotted as a
-- series on one chart ("lr=..."), the best one named at the end.
--
--   rnnscope run scripts/lr_sweep.lua            (Adam, 7 rates, 150 steps each)
--   rnnscope run scripts/lr_sweep.lua quick      (3 rates, 15 steps: a smoke test)
--   rnnscope run --corpus my.txt --plot sweep.tsv scripts/lr_sweep.lua
--
-- Every run starts from the same initial weights (same seed) and sees the same
-- data, so the only difference is the learning rate. A run is scored by its
-- mean training loss over its last quarter (a single step's loss is noisy); a
-- rate whose loss went non-finite scores infinity.
local QUICK = QUICK or arg[1] == "quick"
local rates = QUICK and {1e-3, 1e-2, 1e-1} or {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1}
local steps = QUICK and 15 or 150

rnn.model{cell = "lstm", layers = 1, hidden = QUICK and 32 or 128, embed = QUICK and 16 or 32, seed = 1}
local results = {}
for _, lr in ipairs(rates) do
  local info = assert(rnn.trainer{lr = lr, optim = "adam", batch = QUICK and 8 or 32,
                                  seq = QUICK and 16 or 64, clip = 5, eval_every = 0})
  local series = string.format("lr=%g", lr)
  rnn.status(string.format("%s: %d steps of a %d-parameter %s", series, steps, info.params, info.cell))
  local last, failed = nil, nil
  for _ = 1, steps do
    local r, err = rnn.step()
    if not r then failed = err break end
    rnn.plot(series, r.step, r.loss)
    last = r
  end
  local score = math.huge
  if not failed then
    local h = rnn.history("loss")
    local from, sum = math.max(1, #h - #h // 4), 0
    for i = from, #h do sum = sum + h[i] end
    score = sum / (#h - from + 1)
  end
  results[#results + 1] = {lr = lr, score = score, failed = failed}
  print(string.format("%-10s final loss %-8s  mean of last quarter %s", series,
                      last and string.format("%.4f", last.loss) or "-",
                      failed and ("diverged: " .. failed) or string.format("%.4f", score)))
end

table.sort(results, function(a, b) return a.score < b.score end)
local best = results[1]
print(string.format("best learning rate: %g (mean loss %.4f over the last quarter of %d steps)",
                    best.lr, best.score, steps))
return best.lr
