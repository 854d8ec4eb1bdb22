-- explode.lua — what an exploding gradient looks like: plain SGD with a
-- learning rate far too high and clipping off. A step hook watches the global
-- gradient norm; on the first step where it jumps far above its running
-- median it pauses the run and reports which layer's gradient is largest.
--
--   rnnscope run scripts/explode.lua [quick]
local QUICK = QUICK or arg[1] == "quick"
local factor = 10           -- "exploding": the norm is 10x the median of the steps before
local lr = 20               -- plain SGD on this model is stable below about 1

rnn.model{cell = "rnn", layers = 2, hidden = QUICK and 32 or 128, embed = QUICK and 16 or 32, seed = 3}
assert(rnn.trainer{optim = "sgd", lr = lr, clip = 0, batch = QUICK and 8 or 32, seq = QUICK and 32 or 64,
                   eval_every = 0})
print(string.format("plain tanh RNN, SGD at lr %g, no clipping", lr))

local norms, exploded = {}, nil
local function median(t)
  local c = {}
  for i, v in ipairs(t) do c[i] = v end
  table.sort(c)
  return c[(#c + 1) // 2]
end
rnn.on("step", function(s)
  rnn.plot("grad_norm", s.step, s.grad_norm)
  if #norms >= 3 and s.grad_norm > factor * median(norms) then
    -- which layer: the largest gradient norm among the recurrent layers, the embedding and the head
    local worst, worst_norm = nil, -1
    for _, layer in ipairs(s.layers) do -- layers[1] is layer 0: its `layer` field says so
      if layer.grad_norm > worst_norm then worst, worst_norm = "layer " .. layer.layer, layer.grad_norm end
    end
    for _, name in ipairs{"embedding.weight", "head.weight"} do
      if s.norms[name] > worst_norm then worst, worst_norm = name, s.norms[name] end
    end
    exploded = {step = s.step, norm = s.grad_norm, median = median(norms), where = worst, where_norm = worst_norm}
    rnn.pause()
  end
  norms[#norms + 1] = s.grad_norm
end)
rnn.on("nonfinite", function(msg, step)
  exploded = exploded or {step = step, nonfinite = msg}
end)

local r, err = rnn.step(QUICK and 200 or 2000)
if exploded and exploded.norm then
  print(string.format("step %d: gradient norm %.3g is %.0fx the median %.3g of the steps before; paused",
                      exploded.step, exploded.norm, exploded.norm / exploded.median, exploded.median))
  print(string.format("largest gradient: %s (norm %.3g)", exploded.where, exploded.where_norm))
  local w = rnn.param("rnn.weight_hh_l0")
  print(string.format("rnn.weight_hh_l0 now: norm %.3g, max |w| %.3g", w:norm(), math.max(-w:min(), w:max())))
elseif exploded then
  print(string.format("step %d: the loss went non-finite before a norm jump was seen: %s", exploded.step, exploded.nonfinite))
else
  print(string.format("no explosion in %d steps (%s)", r and r.step or 0, err or "try a higher lr"))
end
assert(r == nil or r.stopped, "expected the hook to pause the run")
