-- argo-analysis.lua — an Argo Rollouts canary whose steps are gated by an AnalysisRun.
--
-- The Rollout this policy plays (argoproj/argo-rollouts, docs/features/analysis.md, "Analysis at a
-- Predefined Step"; the steps come from the scenario's canary settings):
--
--   for each weight w of the steps:        setWeight: w
--                                          pause: {duration: <canary interval>}
--                                          analysis: one AnalysisRun of `count` measurements
--   after the last step                    promote (the canary becomes the stable version)
--
-- One AnalysisRun, as the analysis controller assesses it (analysis/analysis.go,
-- assessMetricFailureInconclusiveOrError and assessMetricStatus; utils/evaluate/evaluate.go,
-- EvaluateResult):
--   * the first measurement is taken when the run starts, the next ones every `interval`;
--   * a measurement is Successful, Failed or Inconclusive by the conditions:
--       only successCondition   -> Successful when it holds, else Failed
--       only failureCondition   -> Failed when it holds, else Successful
--       both                    -> Failed if failureCondition holds, Successful if successCondition
--                                  holds, otherwise Inconclusive (neither)
--     a measurement without data is an Error (the query returned no value); it does not count
--     towards `count`, and the next try comes after 10 s (DefaultErrorRetryInterval);
--   * the run is Failed when failed > failureLimit (default 0: the first failed measurement),
--     Inconclusive when inconclusive > inconclusiveLimit (default 0), Error when consecutive errors >
--     consecutiveErrorLimit (default 4: the 5th error in a row), Successful once `count` measurements
--     are taken without any of those;
--   * a Failed or Error run aborts the Rollout (traffic back to stable: here rollback{}); an
--     Inconclusive run pauses it at its current step until a person resumes (resume() here moves on
--     to the next step) or aborts it.
--
-- Conditions are written over one metric of the API (docs/lua-api.md, metric()) of the canary version:
-- "success_rate >= 95", "error_rate > 0.05", "error_rate > 5%", "latency_p99_ms <= 500". This stands
-- for Argo's `result` of one Prometheus query.

-- Analysis state of the current canary.
local S = {
  deployed_at = nil, -- rollout().deployed_at of the canary in analysis
  version = nil,     -- the canary's version
  steps = nil,       -- the setWeight values
  step = 0,          -- index of the current step
  stage = "done",    -- "ready" (wait for pods), "pause", "analysis", "inconclusive", "done"
  until_ms = nil,    -- end of the pause
  run = nil,         -- the AnalysisRun of the step
  said_not_canary = false,
}

local ERROR_RETRY_MS = 10000 -- Argo's DefaultErrorRetryInterval

-- "error_rate > 5%" -> {metric = "error_rate", op = ">", threshold = 0.05}; "" -> nil
local function parse_condition(text, what)
  if text == nil or text == "" then return nil end
  local name, op, num, pct = string.match(text, "^%s*([%w_:]+)%s*([<>]=?)%s*([%d%.eE+-]+)%s*(%%?)%s*$")
  local x = num and tonumber(num)
  if not name or not x then
    error(what .. ": cannot read '" .. text .. "'; write METRIC OP NUMBER, e.g. \"success_rate >= 95\" or \"error_rate > 5%\"")
  end
  if pct == "%" then x = x / 100 end
  return { metric = name, op = op, threshold = x, text = text }
end

local function holds(value, op, threshold)
  if op == ">=" then return value >= threshold end
  if op == "<=" then return value <= threshold end
  if op == ">" then return value > threshold end
  return value < threshold
end

local NEGATE = { [">="] = "<", ["<="] = ">", [">"] = "<=", ["<"] = ">=" }

-- The Rollout's setWeight steps: the scenario's stepWeights, or stepWeight, 2 x stepWeight, ... up to
-- maxWeight (Argo has no overshoot: its steps are written out).
local function make_steps(r)
  if r.step_weights and #r.step_weights > 0 then return r.step_weights end
  local steps, w = {}, r.step_weight
  while w < r.max_weight do
    steps[#steps + 1] = w
    w = w + r.step_weight
  end
  steps[#steps + 1] = r.max_weight
  return steps
end

local function counters(p)
  local run = S.run
  local w = S.steps[S.step]
  if not run then return string.format("step=%d/%d weight=%g", S.step, #S.steps, w) end
  return string.format("step=%d/%d weight=%g count=%d/%g failed=%d/%g inconclusive=%d/%g consecutive_errors=%d/%g",
                       S.step, #S.steps, w, run.count, p.count, run.failed, p.failure_limit,
                       run.inconclusive, p.inconclusive_limit, run.consecutive_errors, p.consecutive_error_limit)
end

-- One measurement: the conditions' metrics over metric_window on the canary. Returns the phase
-- ("Successful", "Failed", "Inconclusive", "Error") and the checks for explain{}.
local function measure(p)
  local succ = parse_condition(p.success_condition, "success_condition")
  local fail = parse_condition(p.failure_condition, "failure_condition")
  local checks, values, missing = {}, {}, false
  local conds = {}
  if succ then conds[#conds + 1] = succ end
  if fail then conds[#conds + 1] = fail end
  for _, c in ipairs(conds) do
    if values[c.metric] == nil then
      values[c.metric] = metric(c.metric, { version = S.version, window = p.metric_window }) or false
    end
    local v = values[c.metric] or nil
    if v == nil or v ~= v then missing = true end
    -- a check passes when its condition is the healthy one: a failureCondition is shown negated
    local op = (c == fail) and NEGATE[c.op] or c.op
    checks[#checks + 1] = { name = (c == succ and "success: " or "failure: ") .. c.metric, value = v,
                            op = op, threshold = c.threshold }
  end
  if missing then return "Error", checks end
  local ok = succ and holds(values[succ.metric], succ.op, succ.threshold) or false
  local bad = fail and holds(values[fail.metric], fail.op, fail.threshold) or false
  if succ and not fail then bad = not ok end
  if fail and not succ then ok = not bad end
  if not succ and not fail then return "Successful", checks end
  if bad then return "Failed", checks end
  if not ok then return "Inconclusive", checks end
  return "Successful", checks
end

-- The run's status after its latest measurement, with Argo's message.
local function assess(p)
  local run = S.run
  local phase, why = nil, nil
  if run.failed > p.failure_limit then
    phase, why = "Failed", string.format("failed (%d) > failureLimit (%g)", run.failed, p.failure_limit)
  end
  if run.inconclusive > p.inconclusive_limit then
    phase, why = "Inconclusive",
                 string.format("inconclusive (%d) > inconclusiveLimit (%g)", run.inconclusive, p.inconclusive_limit)
  end
  if run.consecutive_errors > p.consecutive_error_limit then
    phase, why = "Error", string.format("consecutiveErrors (%d) > consecutiveErrorLimit (%g)",
                                        run.consecutive_errors, p.consecutive_error_limit)
  end
  if phase then return phase, why end
  if run.count >= p.count then return "Successful", string.format("count (%g) reached", p.count) end
  return "Running", nil
end

local function start_step(p, r)
  local w = S.steps[S.step]
  S.run = nil
  S.stage = "ready"
  set_weight(w)
  explain{ phase = "progressing", counters = counters(p), verdict = string.format("setWeight: %g", w) }
end

local function next_step(p, r, why)
  if S.step >= #S.steps then
    S.stage = "done"
    explain{ phase = "promoting", counters = counters(p),
             verdict = "all steps done" .. (why and (" (" .. why .. ")") or "") .. ": promote " .. S.version }
    promote()
    return
  end
  S.step = S.step + 1
  start_step(p, r)
end

local function canary_ready()
  for _, pod in ipairs(pods{ version = S.version }) do
    if pod.phase ~= "Terminating" and not pod.ready then return false end
  end
  return true
end

-- Takes one measurement of the step's AnalysisRun and acts on the run's status.
local function take_measurement(p, r)
  local run = S.run
  local phase, checks = measure(p)
  if phase == "Error" then
    run.errors = run.errors + 1
    run.consecutive_errors = run.consecutive_errors + 1
  else
    run.count = run.count + 1
    run.consecutive_errors = 0
    if phase == "Failed" then run.failed = run.failed + 1 end
    if phase == "Inconclusive" then run.inconclusive = run.inconclusive + 1 end
  end
  local status, why = assess(p)
  local verdict = "measurement " .. phase .. (phase == "Error" and " (no data)" or "") .. "; run " .. status
  if why then verdict = verdict .. ": " .. why end
  explain{ phase = "analysis", checks = checks, counters = counters(p), verdict = verdict }

  if status == "Running" then
    run.next_at = now() + (phase == "Error" and ERROR_RETRY_MS or duration(p.interval))
  elseif status == "Successful" then
    next_step(p, r, why)
  elseif status == "Inconclusive" then
    S.stage = "inconclusive"
    pause()
    note(string.format("argo-analysis: AnalysisRun of step %d Inconclusive (%s): rollout paused at weight %g; resume or abort",
                       S.step, why, S.steps[S.step]))
  else -- Failed or Error: abort
    S.stage = "done"
    rollback{ reason = string.format("AnalysisRun %s at weight %g: %s", status, S.steps[S.step], why) }
  end
end

-- Moves the current canary through its steps; called every second.
local function advance(p, r)
  if S.stage == "ready" then
    if canary_ready() then
      S.stage = "pause"
      S.until_ms = now() + r.interval
    end
  elseif S.stage == "pause" then
    if now() >= S.until_ms then
      S.stage = "analysis"
      S.run = { count = 0, failed = 0, inconclusive = 0, errors = 0, consecutive_errors = 0, next_at = now() }
    end
  elseif S.stage == "inconclusive" then
    if not r.paused then -- a person resumed the rollout: the step is passed
      explain{ phase = "progressing", counters = counters(p), verdict = "resumed by hand after an Inconclusive run" }
      next_step(p, r, "resumed")
    end
    return
  end
  if S.stage == "analysis" and now() >= S.run.next_at then
    take_measurement(p, r)
  end
end

return {
  name = "argo-analysis",
  description = "Argo Rollouts canary steps gated by an AnalysisRun: failureLimit, inconclusive pauses, consecutiveErrorLimit",
  drives_canary = true, -- the engine stops stepping the weight: only this policy moves it
  interval = "1s", -- the clock's grain; measurements follow `interval`

  params = {
    success_condition = "success_rate >= 95", -- METRIC OP NUMBER; "" = none
    failure_condition = "",                   -- METRIC OP NUMBER; "" = none
    failure_limit = 0,                        -- failed measurements tolerated
    inconclusive_limit = 0,                   -- inconclusive measurements tolerated
    consecutive_error_limit = 4,              -- measurements in a row without data tolerated
    count = 2,                                -- measurements per step's AnalysisRun
    interval = "30s",                         -- between measurements
    metric_window = "1m",                     -- range of each query
  },

  on_start = function(p)
    parse_condition(p.success_condition, "success_condition") -- report a bad condition at once
    parse_condition(p.failure_condition, "failure_condition")
    local r = rollout()
    if r.strategy ~= "canary" then
      S.said_not_canary = true
      explain{ phase = "idle", verdict = "not a canary (strategy " .. r.strategy .. "): argo-analysis does nothing" }
    end
  end,

  on_tick = function(p)
    local r = rollout()
    if r.strategy ~= "canary" then return end
    if r.phase == "progressing" and r.new ~= nil and r.new ~= r.stable and r.deployed_at ~= S.deployed_at then
      S.deployed_at = r.deployed_at
      S.version = r.new
      S.steps = make_steps(r)
      S.step = 1
      start_step(p, r)
      return
    end
    if S.stage == "done" then return end
    if r.phase == "rolling_back" or r.new ~= S.version then
      S.stage = "done"
      explain{ phase = "aborted", verdict = "canary " .. S.version .. " is no longer in analysis" }
      return
    end
    advance(p, r)
  end,
}
