-- test_diag.lua — the gradient inspector from Lua: the diagnostics in the
-- step table (flow, gate saturation and means, update ratios, clip),
-- rnn.histogram, rnn.probe, rnn.ngram, rnn.findings and rnn.last.
-- Run by tests/e2e_lua.sh: rnnscope run --corpus corpora/lighthouse.txt test_diag.lua WORKDIR
local T = dofile((arg[0]:match("(.*/)") or "./") .. "check.lua")
local check, raises, near = T.check, T.raises, T.near

rnn.model{cell = "lstm", layers = 2, hidden = 16, embed = 8, seed = 3}
local info = assert(rnn.trainer(T.small{lr = 0.01, clip = 5}))
local seq, batch, hidden = rnn.get("seq"), rnn.get("batch"), 16

-- before the first step
check(rnn.last() == nil, "rnn.last() is nil before any step")
check(#rnn.findings() == 0, "rnn.findings() is empty before any step")
local p0, m0 = rnn.probe()
check(p0 == nil and m0:find("step", 1, true), "rnn.probe() before a step: nil, message (" .. tostring(m0) .. ")")
local a0, am0 = rnn.histogram("act:h.0")
check(a0 == nil and am0:find("step", 1, true), "activation histogram before a step: nil, message")

-- the step table
local r = rnn.step(10)
check(r.clip == 5 and r.clip == rnn.get("clip"), "step.clip is the threshold in force (" .. tostring(r.clip) .. ")")
check(r.flow_stride == 1, "step.flow_stride is 1 when L*T fits")
local flow_ok, sat_ok, mean_ok = true, true, true
for k = 1, 2 do
  local L = r.layers[k]
  if #L.dh ~= seq then flow_ok = false end
  for t = 1, #L.dh do if not (L.dh[t] > 0 and L.dh[t] < math.huge) then flow_ok = false end end
  for _, g in ipairs{"i", "f", "g", "o"} do
    local v = L.saturation[g]
    if type(v) ~= "number" or v < 0 or v > 1 then sat_ok = false end
  end
  if not (L.gate_mean > 0 and L.gate_mean < 1) then mean_ok = false end
end
check(flow_ok, "layers[k].dh: one finite positive gradient norm per position")
check(sat_ok, "layers[k].saturation has a fraction in [0, 1] for every gate")
check(mean_ok, "layers[k].gate_mean (mean forget gate) is in (0, 1)")
local ratios_ok = true
for _, t in ipairs(rnn.params()) do
  local v = r.ratios[t.name]
  if not (v and v > 0 and v < 1) then ratios_ok = false end
end
check(ratios_ok, "ratios[name]: an update ratio for every tensor")
check(rnn.last().step == r.step and rnn.last().loss == r.loss, "rnn.last() is the latest step's table")

-- histograms add up and agree with the tensor's own statistics
local w = rnn.param("head.weight")
local hw = assert(rnn.histogram("head.weight", 10))
local sum = 0
for _, c in ipairs(hw.counts) do sum = sum + c end
check(#hw.counts == 10 and #hw.edges == 11, "histogram: 10 bins, 11 edges")
check(sum == w.numel and hw.count == w.numel and hw.nonfinite == 0, "histogram counts add up to the tensor's size (" .. sum .. ")")
check(hw.edges[1] == hw.min and hw.edges[11] == hw.max and near(hw.min, w:min(), 1e-6) and near(hw.max, w:max(), 1e-6),
      "histogram edges run from the tensor's min to its max")
check(near(hw.mean, w:mean(), 1e-4) and near(hw.std, w:std(), 1e-3), "histogram mean and std match the tensor's")
local hg = assert(rnn.histogram("grad:rnn.weight_hh_l0", 8))
local sg = 0
for _, c in ipairs(hg.counts) do sg = sg + c end
check(sg == rnn.grad("rnn.weight_hh_l0").numel, "gradient histogram counts add up")
local ha = assert(rnn.histogram("act:h.1", 5))
check(ha.count == seq * batch * hidden, "act:h.1 counts every hidden value of the chunk (" .. ha.count .. ")")
local hn, hmsg = rnn.histogram("nope.weight")
check(hn == nil and hmsg:find("nope.weight", 1, true), "an unknown tensor: nil and a message naming it")
raises(function() rnn.histogram("head.weight", 0) end, "bins", "bins out of range raises")

-- the decay probe
local p = assert(rnn.probe())
check(p.step == rnn.info().step and #p.layers == 2 and #p.layers[1] == seq, "rnn.probe(): step and one value per layer and position")
check(p.layers[2][seq] > 0 and p.layers[1][seq] > 0, "the probe's gradient at t-0 is positive")

-- the n-gram baseline
local u, g3 = rnn.ngram(1), rnn.ngram(3)
check(u > 0 and u < math.log(info.vocab), "unigram validation loss below log(V) (" .. u .. ")")
check(g3 > 0 and g3 < u, "a trigram beats the unigram on the validation split (" .. g3 .. " < " .. u .. ")")
raises(function() rnn.ngram(0) end, "order", "ngram order 0 raises")

-- findings: records with id, severity, subject, since, text, advice, numbers
local f = rnn.findings()
local shape_ok = true
for _, x in ipairs(f) do
  if type(x.id) ~= "string" or not ({note = 1, warning = 1, problem = 1})[x.severity] or #x.text == 0
     or type(x.numbers) ~= "table" or type(x.since) ~= "number" then shape_ok = false end
end
check(shape_ok, "every finding has id, severity, since, text and numbers (" .. #f .. " now)")
check(rnn.verdict() == "healthy" or #f > 0, "a verdict other than healthy comes with findings")
-- a learning rate far too high: lr_high appears, as the root cause, and the 'finding' hook sees it
local seen = {}
local h = rnn.on("finding", function(e) seen[#seen + 1] = e end)
rnn.set{optim = "sgd", lr = 1000, clip = 0}
rnn.step(15)
local high
for _, x in ipairs(rnn.findings()) do if x.id == "lr_high" then high = x end end
check(high ~= nil and high.cause == nil and high.severity == "problem" and high.numbers.lr == 1000 and high.numbers.peak_update_ratio > 0
      and high.advice:find("--lr", 1, true),
      "lr 1000 gives lr_high as a root cause with its numbers (" .. (high and high.text or "none") .. ")")
check(rnn.verdict() == "lr_high", "verdict: lr_high (" .. rnn.verdict() .. ")")
local hook_saw
for _, e in ipairs(seen) do
  if e.id == "lr_high" and e.appeared and e.finding and e.finding.id == "lr_high" then hook_saw = e end
end
check(hook_saw ~= nil and type(hook_saw.step) == "number", "rnn.on('finding') fired when lr_high appeared")
h:remove()

T.done()
