-- test_api.lua — every function of the rnn API, on a tiny LSTM.
-- Run by tests/e2e_lua.sh: rnnscope run --corpus corpora/lighthouse.txt test_api.lua WORKDIR
local T = dofile((arg[0]:match("(.*/)") or "./") .. "check.lua")
local check, raises, near = T.check, T.raises, T.near
local work = assert(arg[1], "usage: test_api.lua WORKDIR")

check(require("rnn") == rnn, "require 'rnn' is the global rnn")

-- build: errors name the key
raises(function() rnn.model{hiden = 3} end, "'hiden'", "rnn.model: unknown key is an error naming it")
raises(function() rnn.model{hidden = "big"} end, "'hidden' must be a number", "rnn.model: wrong type names the key")
raises(function() rnn.model{hidden = 2.5} end, "hidden", "rnn.model: a fraction for a whole-number key is an error")
raises(function() rnn.model{cell = "transformer"} end, "unknown cell", "rnn.model: unknown cell is an error")
raises(function() rnn.corpus{path = 3} end, "'path' must be a string", "rnn.corpus: wrong type names the key")
raises(function() rnn.trainer{batchsize = 3} end, "'batchsize'", "rnn.trainer: unknown key names it")
raises(function() rnn.trainer{lr = -1} end, "out of range", "rnn.trainer: out-of-range lr is an error")
rnn.model{cell = "lstm", layers = 2, hidden = 16, embed = 8, seed = 7}
rnn.corpus{tokenizer = "char", val_frac = 0.1}
local bad, msg = rnn.trainer(T.small{corpus = work .. "/missing.txt"})
check(bad == nil and msg:find("missing.txt", 1, true), "rnn.trainer on a missing corpus returns nil, message")
local info = rnn.trainer(T.small{lr = 0.01})
check(info and info.cell == "lstm" and info.layers == 2 and info.hidden == 16, "rnn.trainer returns the run's summary")
check(info.params > 0 and info.vocab > 10 and info.train_tokens > info.val_tokens, "summary: params, vocab, split sizes")
check(rnn.info().step == 0, "rnn.info: step 0 before training")

-- run
local r = rnn.step()
check(r.step == 1 and r.steps == 1 and not r.stopped, "rnn.step() makes one step")
check(r.loss > 0 and r.loss < 10 and r.grad_norm > 0 and r.lr > 0, "step table: loss, grad_norm, lr")
check(type(r.ms) == "number" and r.tokens_per_s > 0 and type(r.clipped) == "boolean", "step table: ms, tokens_per_s, clipped")
check(r.norms["rnn.weight_hh_l1"] > 0 and r.ratios["head.weight"] > 0, "step table: per-tensor norms and update ratios")
local g = r.layers[1].gates
check(#r.layers == 2 and g.i and g.f and g.g and g.o, "step table: per-layer gate norms i f g o")
check(r.layers[1].layer == 0 and r.layers[2].layer == 1, "step table: layers[1] is layer 0 (its layer field, as in weight_ih_l0)")
local sq = 0
for _, k in ipairs{"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0"} do sq = sq + r.norms[k]^2 end
check(near(r.layers[1].grad_norm, math.sqrt(sq), 1e-5), "step table: layer norm is the norm of its four tensors")
local gsq = g.i^2 + g.f^2 + g.g^2 + g.o^2
check(near(gsq, sq, 1e-4), "step table: gate norms add up to the layer norm")
check(#r.layers[1].dh == 8 and r.layers[1].dh[1] > 0, "step table: per-position dh norms (T = 8)")
local tot = 0
for _, v in pairs(r.norms) do tot = tot + v^2 end
check(near(math.sqrt(tot), r.grad_norm, 1e-4), "step table: total norm matches the per-tensor norms")
local r5 = rnn.step(4)
check(r5.step == 5 and r5.steps == 4, "rnn.step(4) makes four steps and returns the last")
raises(function() rnn.step(0) end, "at least 1", "rnn.step(0) is a bad argument")
local v = rnn.eval()
check(type(v) == "number" and v > 0, "rnn.eval returns the validation loss")
local losses = rnn.history("loss")
check(#losses == 5 and losses[5] == r5.loss, "rnn.history('loss') has every step, last = last step")
check(#rnn.history("step") == 5 and rnn.history("step")[3] == 3, "rnn.history('step')")
check(#rnn.history("val_loss") == 1 and rnn.history("val_loss")[1] == v and rnn.history("val_step")[1] == 5,
      "rnn.history('val_loss') records rnn.eval")
raises(function() rnn.history("nonsense") end, "invalid option", "rnn.history: unknown metric is an error")

-- settings between steps
rnn.lr(0.005)
check(near(rnn.lr(), 0.005, 1e-6), "rnn.lr(x) sets, rnn.lr() reads")
check(near(rnn.step().lr, 0.005, 1e-6), "the new lr is used by the next step")
rnn.clip(0.001)
check(rnn.step().clipped == true, "rnn.clip(tiny) makes the next step clip")
rnn.set{clip = 0, optim = "sgd", momentum = 0.9}
check(rnn.get("optim") == "sgd" and rnn.get("momentum") > 0.89 and rnn.get("clip") == 0, "rnn.set changes optimizer settings; rnn.get reads them")
check(rnn.step().clipped == false, "clip 0 turns clipping off")
raises(function() rnn.set{hidden = 64} end, "fixed for this run", "rnn.set refuses architecture settings")
raises(function() rnn.set{nesterov = true, momentum = 0} end, "nesterov", "rnn.set checks settings together")
check(rnn.get("optim") == "sgd", "a refused rnn.set changes nothing")
raises(function() rnn.get("nope") end, "unknown setting", "rnn.get: unknown setting is an error")
rnn.set{optim = "adam", lr = 0.01}

-- inspect
local p = rnn.probs("The keeper ", 5)
check(#p == 5 and type(p[1].token) == "string" and p[1].id >= 0, "rnn.probs returns k entries {token, p, id}")
local sum, sorted = 0, true
for i, e in ipairs(p) do sum = sum + e.p; if i > 1 and e.p > p[i - 1].p then sorted = false end end
check(sorted and sum > 0 and sum <= 1 + 1e-6, "rnn.probs: most likely first, probabilities <= 1")
local all = rnn.probs("The keeper ", 1000)
local s2 = 0
for _, e in ipairs(all) do s2 = s2 + e.p end
check(#all == info.vocab and near(s2, 1, 1e-4), "rnn.probs with k >= V covers the vocabulary, sums to 1")
local a = rnn.sample{prime = "The ", length = 40, seed = 5}
local b = rnn.sample{prime = "The ", length = 40, seed = 5}
local c = rnn.sample{prime = "The ", length = 40, seed = 6}
check(a == b and utf8.len(a) == 40, "rnn.sample: 40 tokens, same seed same text")
check(a ~= c, "rnn.sample: another seed, another text")
local greedy = rnn.sample{prime = "The ", length = 10, argmax = true}
check(greedy == rnn.sample{prime = "The ", length = 10, argmax = true, seed = 99}, "rnn.sample argmax ignores the seed")
check(greedy:sub(1, 1) == rnn.probs("The ", 1)[1].token, "rnn.sample argmax starts with the top rnn.probs token")
raises(function() rnn.sample{temprature = 1} end, "'temprature'", "rnn.sample: unknown key named")
raises(function() rnn.sample{temperature = 0} end, "temperature", "rnn.sample: bad temperature is an error")

-- tensors
local params = rnn.params()
check(#params == 3 + 4 * 2 and params[1].name == "embedding.weight", "rnn.params lists every tensor in state_dict order")
local w = rnn.param("rnn.weight_hh_l0")
check(w.shape[1] == 64 and w.shape[2] == 16 and w.numel == 1024 and #w == 1024 and w.ndim == 2, "tensor shape, numel, #")
local n2, s, mn, mx = 0, 0, math.huge, -math.huge
for i = 1, #w do local x = w[i]; n2 = n2 + x * x; s = s + x; mn = math.min(mn, x); mx = math.max(mx, x) end
check(near(w:norm(), math.sqrt(n2), 1e-6) and near(w:mean(), s / #w, 1e-6), "tensor norm and mean match its elements")
check(w:min() == mn and w:max() == mx, "tensor min and max match its elements")
local var = 0
for i = 1, #w do var = var + (w[i] - s / #w)^2 end
check(near(w:std(), math.sqrt(var / #w), 1e-6), "tensor std (population) matches its elements")
check(w:get(2, 3) == w[16 + 3], "t:get(row, col) is row-major, 1-based")
local h = w:histogram(10)
local cnt = 0
for _, k in ipairs(h.counts) do cnt = cnt + k end
check(#h.counts == 10 and #h.edges == 11 and cnt == 1024 and h.edges[1] == mn and h.edges[11] == mx, "histogram: every element counted once, edges span min..max")
raises(function() return w[0] end, "out of range", "tensor index 0 is an error")
raises(function() w[1] = 3 end, "read-only", "tensors are read-only")
check(tostring(w):find("rnn.weight_hh_l0 (64, 16)", 1, true), "tostring(tensor)")
local gw = rnn.grad("rnn.weight_hh_l0")
check(gw.kind == "grad" and gw:norm() > 0, "rnn.grad gives the last step's gradient")
raises(function() rnn.param("nope") end, "no tensor named", "rnn.param: unknown name is an error")
local before = w[1]
rnn.step()
check(w[1] ~= before, "a tensor reads the live weights after a step")
do
  local closed <close> = rnn.param("head.bias")
  check(closed.numel == info.vocab, "a to-be-closed tensor works in its scope")
  _G.leaked = closed
end
raises(function() return _G.leaked:norm() end, "closed", "a closed tensor fails cleanly")

-- save and load
local path = work .. "/api.safetensors"
local saved_at = {}
local hk = rnn.on("save", function(p2, step) saved_at[#saved_at + 1] = {p2, step} end)
check(rnn.save(path) == true, "rnn.save returns true")
check(#saved_at == 1 and saved_at[1][1] == path and saved_at[1][2] == rnn.info().step, "'save' hook gets path and step")
hk:remove()
local ok, err = rnn.save(path .. "/under/a/file.safetensors") -- path is a file: no folder can be made there
check(ok == nil and type(err) == "string" and err:find("api.safetensors", 1, true), "rnn.save failure returns nil, message")
check(#saved_at == 1, "a failed save fires no hook; a removed hook stays removed")
local step_before, probs_before = rnn.info().step, rnn.probs("The ", 3)
rnn.step(2)
local li = rnn.load(path)
check(li and li.step == step_before, "rnn.load restores the saved run's step")
check(li.params == info.params and rnn.probs("The ", 3)[1].p == probs_before[1].p, "rnn.load restores the weights exactly")
raises(function() return w:norm() end, "replaced", "a tensor of the replaced run fails cleanly")
local nl, lmsg = rnn.load(work .. "/missing.safetensors")
check(nl == nil and lmsg:find("missing.safetensors", 1, true), "rnn.load failure returns nil, message")
check(rnn.info().step == step_before, "a failed load keeps the current run")

-- ui
rnn.log("log line", 42)
rnn.plot("series-a", 1, 2.5)
rnn.status("status text")
raises(function() rnn.plot("s", "x", 1) end, "number expected", "rnn.plot checks its arguments")
print("printed", 1, true)

-- pause
rnn.on("step", function(st) if st.step == rnn.info().step and st.step % 2 == 0 then rnn.pause() end end)
local pr = rnn.step(10)
check(pr.stopped and pr.steps <= 2, "rnn.pause in a hook ends rnn.step(n) early")
T.done()
