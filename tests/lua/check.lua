-- check.lua — the assertion helper of the Lua test files: check(cond, what)
-- prints "PASS what" or "FAIL what"; done() prints a summary line and
-- raises if anything failed (so the script exits 1 too).
local M = {passed = 0, failed = 0}

function M.check(cond, what)
  if cond then
    M.passed = M.passed + 1
    print("PASS " .. what)
  else
    M.failed = M.failed + 1
    print("FAIL " .. what)
  end
  return cond
end

-- expect an error whose message contains pattern (plain text)
function M.raises(fn, pattern, what)
  local ok, err = pcall(fn)
  return M.check(not ok and tostring(err):find(pattern, 1, true) ~= nil,
                 what .. (ok and " (no error)" or " (" .. tostring(err) .. ")"))
end

function M.near(a, b, tol)
  return math.abs(a - b) <= tol * math.max(1, math.abs(a), math.abs(b))
end

function M.done()
  print(string.format("# %d passed, %d failed", M.passed, M.failed))
  if M.failed > 0 then error(M.failed .. " check(s) failed") end
end

-- the small run every test uses; tests pass the corpus with --corpus
function M.small(extra)
  local t = {batch = 4, seq = 8, threads = 1, eval_every = 0, val_frac = 0.1}
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

return M
