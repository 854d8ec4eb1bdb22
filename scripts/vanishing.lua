-- vanishing.lua — a plain tanh RNN against an LSTM on the delayed-recall task
-- (corpora/recall.txt: lines KEY|FILLER|KEY, the second KEY predictable only
-- by remembering the first across D filler dots, D in 1..128).
--
--   rnnscope run scripts/vanishing.lua           (both cells, 1500 steps each)
--   rnnscope run scripts/vanishing.lua quick     (60 steps each: a smoke test)
--
-- Two measurements per cell:
--  1. gradient flow: every 50 steps the core's decay probe backpropagates the
--     chunk's LAST position's loss alone and reports ||dL_T/dh_t|| for every
--     position t (step.layers[1].decay). Relative to t = T, it shows how much
--     of one loss's gradient survives d steps back: it dies geometrically in
--     the tanh RNN and survives in the LSTM, whose cell state carries it.
--  2. the task: top-1 accuracy and loss of the first recalled symbol, on
--     lines made up here in the corpus's format, split by the filler length D.
local QUICK = QUICK or arg[1] == "quick"
local here = arg[0]:match("(.*/)") or "./"
local corpus = here .. "../corpora/recall.txt"
local steps = QUICK and 120 or 1500
local T = 64

local function profile(dh_sum)
  local last = dh_sum[#dh_sum]
  local out = {}
  for _, d in ipairs{0, 1, 2, 4, 8, 16, 32, 63} do
    local t = #dh_sum - d
    if t >= 1 then out[#out + 1] = {d, dh_sum[t] / last} end
  end
  return out
end

-- deterministic test lines: "KEY|" .. dots .. "|", then the model must name KEY[1]
local symbols = "abcdefghijklmnopqrstuvwxyz0123456789"
local function test_lines(D, n)
  local lines, seed = {}, 12345 + D
  for i = 1, n do
    local key = ""
    for _ = 1, 4 do
      seed = (seed * 1103515245 + 12345) % 2147483648
      local k = seed % #symbols + 1
      key = key .. symbols:sub(k, k)
    end
    lines[i] = {prefix = "\n" .. key .. "|" .. string.rep(".", D) .. "|", want = key:sub(1, 1)}
  end
  return lines
end

-- top-1 accuracy and mean loss (nats) of the first recalled symbol
local function recall(D, n)
  local hits, nats = 0, 0
  for _, l in ipairs(test_lines(D, n)) do
    local probs = rnn.probs(l.prefix, 1000)
    if probs[1].token == l.want then hits = hits + 1 end
    local p = 1e-9
    for _, e in ipairs(probs) do if e.token == l.want then p = e.p end end
    nats = nats - math.log(p)
  end
  return hits / n, nats / n
end

rnn.corpus{path = corpus, tokenizer = "char", val_frac = 0.05}
local results = {}
for _, cell in ipairs{"rnn", "lstm"} do
  rnn.model{cell = cell, layers = 1, hidden = QUICK and 32 or 128, embed = 16, seed = 1}
  assert(rnn.trainer{optim = "adam", lr = 3e-3, clip = 1, batch = QUICK and 8 or 32, seq = T,
                     eval_every = 0, forget_bias_one = cell == "lstm"})
  local dh_sum = {}
  for t = 1, T do dh_sum[t] = 0 end
  rnn.on("step", function(s)
    rnn.plot(cell .. " loss", s.step, s.loss)
    if s.step > steps // 2 then       -- the trained network, not its random start
      -- the decay probe (every 50 steps): the last position's loss alone, carried back
      if s.decay_step == s.step and s.layers[1].decay then
        for t, v in ipairs(s.layers[1].decay) do dh_sum[t] = dh_sum[t] + v end
      end
    end
  end)
  local r = assert(rnn.step(steps))
  local res = {cell = cell, loss = r.loss, profile = profile(dh_sum), acc = {}}
  res.nats = {}
  for _, D in ipairs{1, 4, 16, 64} do res.acc[D], res.nats[D] = recall(D, QUICK and 20 or 100) end
  results[#results + 1] = res
  print(string.format("%-4s trained %d steps, final loss %.4f", cell, r.step, r.loss))
end

print("\ngradient of the last position's loss reaching back d steps: ||dL_T/dh_(T-d)||, relative to d = 0")
local line = "  d     "
for _, p in ipairs(results[1].profile) do line = line .. string.format("%9d", p[1]) end
print(line)
for _, res in ipairs(results) do
  line = string.format("  %-6s", res.cell)
  for _, p in ipairs(res.profile) do line = line .. string.format("%9.1e", p[2]) end
  print(line)
end
print("\nfirst recalled key symbol by filler length D: top-1 accuracy (chance 1/36 = 0.03)")
print("and loss in nats (no memory: log 36 = 3.58)")
print("  D            1           4          16          64")
for _, res in ipairs(results) do
  local row = string.format("  %-6s", res.cell)
  for _, D in ipairs{1, 4, 16, 64} do row = row .. string.format("  %4.2f %5.2f", res.acc[D], res.nats[D]) end
  print(row)
end
local function far(res) return res.profile[6][2] end
print(string.format("\nfar gradient (d = 16): rnn %.1e vs lstm %.1e; recall loss at D = 16: rnn %.2f vs lstm %.2f nats",
                    far(results[1]), far(results[2]), results[1].nats[16], results[2].nats[16]))
