-- test_units_api.lua — what hidden units have learned, from Lua: rnn.activations
-- (shape, kinds, read-only, errors), rnn.units with a regular expression, "line",
-- "indent" and a Lua function (top honoured, ordered by |r|, r the Pearson
-- correlation of the unit's activations), and rnn.ablate (changes rnn.probs and
-- rnn.activations downstream, rnn.ablate() restores them exactly, training
-- never sees it, a new run drops the list, a reload of the same run keeps it).
-- Run by tests/e2e_lua.sh: rnnscope run --corpus corpora/lighthouse.txt test_units_api.lua WORKDIR
local T = dofile((arg[0]:match("(.*/)") or "./") .. "check.lua")
local check, raises, near = T.check, T.raises, T.near
local work = assert(arg[1], "usage: test_units_api.lua WORKDIR")

rnn.model{cell = "lstm", layers = 2, hidden = 16, embed = 8, seed = 3}
rnn.corpus{tokenizer = "char"}
assert(rnn.trainer(T.small{lr = 0.01}))
rnn.step(30)

-- rnn.activations
local text = "The keeper of the light\n  climbs the stair.\n"
local a, used = rnn.activations(text)
check(a.kind == "activation" and a.ndim == 2 and a.shape[1] == utf8.len(text) and a.shape[2] == 16,
      "rnn.activations: positions x units, one row per token (" .. a.shape[1] .. " x " .. a.shape[2] .. ")")
check(used == text and a.name == "activations l0 c", "default layer 0 and kind c; the text comes back (" .. a.name .. ")")
local inside = true
for i = 1, #a do if not (a[i] >= -1 and a[i] <= 1) then inside = false end end
check(inside, "kind c is tanh(c): every value in [-1, 1]")
check(a:get(3, 5) == a[2 * 16 + 5], "t:get(position, unit + 1) is row-major, 1-based")
raises(function() a[1] = 0 end, "read-only tensor", "an activation tensor is read-only")
local f1 = rnn.activations(text, 1, "f")
local gate_ok = true
for i = 1, #f1 do if not (f1[i] > 0 and f1[i] < 1) then gate_ok = false end end
check(f1.name == "activations l1 f" and gate_ok, "layer 1's forget gate: sigmoid values in (0, 1)")
check(tostring(f1) == "tensor activations l1 f (" .. utf8.len(text) .. ", 16)", "tostring of an activation tensor (" .. tostring(f1) .. ")")
local again = rnn.activations(text)
local same = true
for i = 1, #a do if again[i] ~= a[i] then same = false end end
check(same, "the same text gives the same activations")
local prefix = rnn.activations(text:sub(1, 10))
local causal = true
for i = 1, #prefix do if not near(prefix[i], a[i], 1e-5) then causal = false end end
check(causal, "a prefix of the text gives the first rows (a zero state, left to right)")
raises(function() rnn.activations(text, 2) end, "layer 2 is out of range: the model has layers 0..1",
       "rnn.activations: a layer out of range")
raises(function() rnn.activations(text, 0, "z") end, "kind 'z' is not one of this lstm's kinds: c, h, i, f, g, o",
       "rnn.activations: an unknown kind lists the kinds")
raises(function() rnn.activations("") end, "no token of the model's vocabulary", "rnn.activations: an empty text")
raises(function() rnn.activations("\xff\xfe") end, "rnn.activations: the text", "rnn.activations: invalid UTF-8 names the text")
local held, held_text = rnn.activations()
check(held.shape[1] == 4000 and utf8.len(held_text) == 4000, "no text: the held-out split's first 4000 tokens")

-- rnn.units
local r = rnn.units{find = "[aeiou]", top = 5}
check(#r == 5, "rnn.units: top = 5 gives 5 units")
local ordered, ranged = true, true
for i, e in ipairs(r) do
  if i > 1 and math.abs(e.r) > math.abs(r[i - 1].r) then ordered = false end
  if not (e.layer >= 0 and e.layer <= 1 and e.unit >= 0 and e.unit < 16 and e.r >= -1 and e.r <= 1) then ranged = false end
end
check(ordered, "rnn.units: ordered by |r|, largest first")
check(ranged, "rnn.units: 0-based layer and unit, r in [-1, 1]")
check(#rnn.units{find = "e", top = 1000} == 32, "top above the number of units gives every unit (2 x 16)")
check(#rnn.units{find = "e"} == 10, "top defaults to 10")
-- the r of the best unit is the Pearson correlation of its column with the signal
local best = rnn.units{find = "[aeiou]", top = 1, text = text}[1]
local col = rnn.activations(text, best.layer, "c")
local xs, ys, i = {}, {}, 0
for _, c in utf8.codes(text) do
  i = i + 1
  xs[i] = col:get(i, best.unit + 1)
  ys[i] = utf8.char(c):find("[aeiou]") and 1 or 0
end
local function pearson(x, y)
  local n, mx, my = #x, 0, 0
  for k = 1, n do mx, my = mx + x[k], my + y[k] end
  mx, my = mx / n, my / n
  local sxy, sxx, syy = 0, 0, 0
  for k = 1, n do
    sxy, sxx, syy = sxy + (x[k] - mx) * (y[k] - my), sxx + (x[k] - mx) ^ 2, syy + (y[k] - my) ^ 2
  end
  return sxy / math.sqrt(sxx * syy)
end
check(near(best.r, pearson(xs, ys), 1e-9), string.format("r is the Pearson correlation of the unit's activations (%.6f)", best.r))
-- a Lua function gets (text, pos, stop) and gives the same ranking as the regex
local calls, pos_ok = 0, true
local byfn = rnn.units{top = 6, find = function(s, p, q)
  calls = calls + 1
  if s:sub(p, q) ~= s:sub(p, p) then pos_ok = false end -- one character per token here
  return s:sub(p, p):find("[aeiou]") ~= nil
end}
local byre = rnn.units{find = "[aeiou]", top = 6}
local same_rank = #byfn == 6
for k = 1, 6 do
  if byfn[k].layer ~= byre[k].layer or byfn[k].unit ~= byre[k].unit or byfn[k].r ~= byre[k].r then same_rank = false end
end
check(same_rank and calls == 4000 and pos_ok, "a Lua function (booleans count 1/0) ranks as the same regex does (" .. calls .. " calls)")
-- a regex marks the tokens that start inside a match, left to right: ^ only at the text's start
local function same_units(x, y)
  if #x ~= #y then return false end
  for k = 1, #x do
    if x[k].layer ~= y[k].layer or x[k].unit ~= y[k].unit or x[k].r ~= y[k].r then return false end
  end
  return true
end
check(same_units(rnn.units{find = "^The", text = text, top = 3}, rnn.units{find = function(_, p) return p <= 3 end, text = text, top = 3}),
      "find = \"^The\" marks the first three characters only")
check(same_units(rnn.units{find = "the [a-z]+", text = text, top = 3},
                 rnn.units{find = function(_, p) return (p >= 15 and p <= 23) or (p >= 34 and p <= 42) end, text = text, top = 3}),
      "find = \"the [a-z]+\" marks both matches, each as a whole")
-- "line" is the column; nil is not counted
local function column(s, p)
  local nl = s:sub(1, p - 1):match(".*()\n") -- the last newline before p
  return utf8.len(s, nl and nl + 1 or 1, p - 1)
end
local line_fn = rnn.units{find = function(s, p) return p % 2 == 0 and column(s, p) or nil end, text = text, top = 3}
local line_ok = true
for _, e in ipairs(rnn.units{find = "line", text = text, top = 3}) do
  if not (e.r >= -1 and e.r <= 1) then line_ok = false end
end
check(line_ok and #line_fn == 3, "find = \"line\", and a function answering nil at every other position")
local by_line = rnn.units{find = "line", text = text, top = 4, layer = 1}
local by_col = rnn.units{find = function(s, p) return column(s, p) end, text = text, top = 4, layer = 1}
local col_same = true
for k = 1, 4 do
  if by_line[k].unit ~= by_col[k].unit or not near(by_line[k].r, by_col[k].r, 1e-12) or by_line[k].layer ~= 1 then col_same = false end
end
check(col_same, "find = \"line\" is the column in characters (as a Lua function computes it); layer = 1 keeps to layer 1")
local ind = rnn.units{find = "indent", text = text, top = 2, kind = "h"}
check(#ind == 2, "find = \"indent\" with kind = \"h\"")
raises(function() rnn.units{find = "("} end, "bad regular expression '('", "rnn.units: a bad regular expression")
raises(function() rnn.units{fnd = "a"} end, "unknown key 'fnd' (did you mean 'find'?)", "rnn.units: an unknown key is named")
raises(function() rnn.units{top = 3} end, "find must be a regular expression", "rnn.units: find is required")
raises(function() rnn.units{find = "a", top = 0} end, "top must be at least 1", "rnn.units: top = 0")
raises(function() rnn.units{find = "a", top = 1.5} end, "'top' must be a whole number", "rnn.units: a fractional top")
raises(function() rnn.units{find = "a", layer = 5} end, "layer 5 is out of range", "rnn.units: a layer out of range")
raises(function() rnn.units{find = "a", kind = "r"} end, "kind 'r' is not one of this lstm's kinds", "rnn.units: a gru kind on an lstm")
raises(function() rnn.units{find = function() return "x" end} end, "returned a string for byte 1",
       "rnn.units: a function answering a string is an error")
raises(function() rnn.units{find = function(_, p) if p == 7 then error("bad position") end return 0 end} end,
       "bad position", "rnn.units: an error inside the function propagates")

-- rnn.ablate
check(#rnn.ablated() == 0, "rnn.ablated() is empty at first")
local function probs_of(s)
  local out = {}
  for _, e in ipairs(rnn.probs(s, 1000)) do out[e.id] = e.p end
  return out
end
local function same_probs(p, q)
  for id, v in pairs(p) do if q[id] ~= v then return false end end
  return true
end
local p0 = probs_of("The keeper ")
local s0 = rnn.sample{prime = "The ", length = 40, seed = 2}
local w_before = rnn.param("rnn.weight_hh_l1"):norm()
local h1_before = rnn.activations(text, 1, "h")
check(rnn.ablate(1, 3) == 1 and rnn.ablate(1, 3) == 1 and rnn.ablate(0, 7) == 2, "rnn.ablate returns how many units are ablated (twice the same: once)")
local l = rnn.ablated()
check(#l == 2 and l[1].layer == 1 and l[1].unit == 3 and l[2].layer == 0 and l[2].unit == 7, "rnn.ablated() lists them in order")
local p1 = probs_of("The keeper ")
check(not same_probs(p0, p1), "an ablation changes rnn.probs")
check(rnn.param("rnn.weight_hh_l1"):norm() == w_before, "the run's own weights are untouched")
local downstream, moved = rnn.activations(text, 1, "h"), false
for k = 1, #downstream do if downstream[k] ~= h1_before[k] then moved = true end end
check(moved, "rnn.activations runs on the ablated weights too (layer 1 changes without l0 unit 7)")
check(rnn.ablate(0, 7, false) == 1 and #rnn.ablated() == 1, "rnn.ablate(layer, unit, false) restores one unit")
check(rnn.ablate() == 0 and #rnn.ablated() == 0, "rnn.ablate() restores every unit")
check(same_probs(p0, probs_of("The keeper ")), "after rnn.ablate() rnn.probs is exactly as before")
check(rnn.sample{prime = "The ", length = 40, seed = 2} == s0, "and rnn.sample too")
raises(function() rnn.ablate(2, 0) end, "layer 2 is out of range: the model has layers 0..1", "rnn.ablate: a layer out of range")
raises(function() rnn.ablate(0, 16) end, "unit 16 is out of range: its layers have units 0..15", "rnn.ablate: a unit out of range")
raises(function() rnn.ablate(0) end, "number expected", "rnn.ablate: a unit is needed")
-- the same last layer's every unit removed: the head sees zeros, only its bias speaks
for j = 0, 15 do rnn.ablate(1, j) end
local pa, pb = probs_of("The keeper "), probs_of("xyz")
check(same_probs(pa, pb), "every unit of the last layer ablated: the prediction no longer depends on the text")
rnn.ablate()

-- a reload of the same run keeps the list; a new run drops it
local path = work .. "/units_api.safetensors"
assert(rnn.save(path, {force = true}))
rnn.ablate(0, 2)
assert(rnn.load(path))
check(#rnn.ablated() == 1, "rnn.load of the same run keeps the ablated units")
assert(rnn.trainer(T.small{lr = 0.01}))
check(#rnn.ablated() == 0, "a new run (rnn.trainer) drops them")

-- training never sees an ablation: the same run stepped with and without one
local function first_step(ablate)
  rnn.model{cell = "gru", layers = 2, hidden = 12, embed = 8, seed = 11}
  assert(rnn.trainer(T.small{lr = 0.01}))
  if ablate then rnn.ablate(0, 4); rnn.ablate(1, 0) end
  local s = rnn.step(3)
  return s.loss, rnn.param("rnn.weight_hh_l0"):norm(), rnn.param("head.weight"):norm(), #rnn.ablated()
end
local la, wa, ha = first_step(false)
local lb, wb, hb, nb = first_step(true)
check(nb == 2 and la == lb and wa == wb and ha == hb, string.format("three steps give the same loss and weights with two units ablated (%.9g, %.9g)", la, lb))
local g = rnn.activations("The keeper", 1, "z")
check(g.name == "activations l1 z" and g.shape[2] == 12, "a gru's kinds (z)")
raises(function() rnn.activations("The keeper", 0, "c") end, "kind 'c' is not one of this gru's kinds: h, r, z, n", "a gru has no c")
T.done()
