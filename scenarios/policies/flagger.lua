-- flagger.lua — Flagger's canary analysis, as its scheduler runs it.
--
-- What Flagger does (fluxcd/flagger, pkg/controller/scheduler.go, advanceCanary and runCanary;
-- pkg/controller/scheduler_metrics.go, runBuiltinMetricChecks; docs/gitbook/usage/how-it-works.md and
-- deployment-strategies.md), one analysis interval at a time:
--
--   1. canary not ready yet             -> wait (no check is counted; the progress deadline still runs)
--   2. failedChecks >= threshold        -> roll back ("failed checks threshold reached N"), before any check
--   3. weight 0, first interval         -> "Starting canary analysis": no metric check (no traffic yet),
--                                          advance to the first step
--   4. run the checks on the CANARY's metrics; one failing or empty ("no values found") check
--                                       -> failedChecks + 1, hold the weight, stop here
--   5. checks passed, weight < maxWeight -> advance: weight + stepWeight (or the next stepWeights entry);
--                                          the weight may overshoot maxWeight (20, 40, 60 for 20/50)
--   6. checks passed, weight >= maxWeight -> promote (copy the canary template to the primary)
--
-- So a healthy canary with stepWeight 10 / maxWeight 50 is promoted on the interval of its
-- ceil(50/10) = 5th passing check, 5 intervals after the interval that set the weight to 10; with
-- stepWeight 20 it is the 3rd passing check (weights 20, 40, 60). Failed checks are counted for the whole
-- analysis and never reset by a passing interval; the rollback comes on the interval after the check
-- that reached the threshold, as step 2 runs before the checks.
--
-- The engine stops stepping the canary by itself once this policy drives it (set_weight / promote /
-- rollback are the only moves). Everything the policy concluded is in the trace: run with --explain.

local DEFAULT = -1 -- sentinel of the numeric params: "take the scenario's canary settings"

-- Analysis state of the current canary (one analysis at a time, as one Canary object in Flagger).
local S = {
  deployed_at = nil, -- rollout().deployed_at of the canary under analysis
  version = nil,     -- the canary's version
  next_at = nil,     -- simulated ms of the next analysis interval
  failed = 0,        -- Flagger's status.failedChecks
  started = false,   -- "Starting canary analysis" happened (the weight left 0)
  over = true,       -- promoted or rolled back: nothing to do until the next deploy
  said_not_canary = false,
  changed = true,    -- a timeline event since the last rollout() read (on_event sets it)
}

-- "10,20,40" -> {10, 20, 40}; "" -> nil
local function parse_weights(text)
  if text == nil or text == "" then return nil end
  local list = {}
  for item in string.gmatch(text, "[^,%s]+") do
    local w = tonumber(item)
    if not w or w <= 0 or w > 100 then
      error("step_weights: '" .. item .. "' is not a weight in 1..100 (write \"10,20,40\")")
    end
    if #list > 0 and w <= list[#list] then
      error("step_weights must increase, got " .. item .. " after " .. list[#list])
    end
    list[#list + 1] = w
  end
  return list
end

-- The analysis settings: the params, or the scenario's canary strategy where a param is left at its
-- default (Flagger's spec.analysis).
local function settings(p, r)
  local s = {}
  s.interval = (p.interval ~= "" and duration(p.interval)) or r.interval
  s.threshold = p.threshold ~= DEFAULT and p.threshold or r.threshold
  s.step_weight = p.step_weight ~= DEFAULT and p.step_weight or r.step_weight
  s.steps = parse_weights(p.step_weights) or r.step_weights
  if s.steps and #s.steps == 0 then s.steps = nil end
  if s.steps then
    -- Flagger's maxWeight(): with stepWeights the last one is the maximum (maxWeight is ignored)
    s.max_weight = math.min(100, s.steps[#s.steps])
  else
    s.max_weight = p.max_weight ~= DEFAULT and p.max_weight or r.max_weight
  end
  return s
end

-- Flagger's nextStepWeight() then runCanary(): the weight after a passing interval at `weight`.
local function next_weight(s, weight)
  local step
  if not s.steps then
    step = s.step_weight
  elseif weight == 0 then
    step = s.steps[1]
  else
    step = 100 - weight -- past the listed steps: the rest
    for i = 1, #s.steps - 1 do
      if s.steps[i] == weight then step = s.steps[i + 1] - weight end
    end
  end
  return math.min(100, weight + step)
end

-- The business metric to check: the param, or the scenario's first one named like "conversion".
local function business_name(p)
  local names = business_metrics()
  if p.business_metric ~= "" then
    for _, n in ipairs(names) do
      if n == p.business_metric then return n end
    end
    error("business_metric '" .. p.business_metric .. "' is not a business metric of the scenario")
  end
  for _, n in ipairs(names) do
    if string.find(n, "conversion", 1, true) then return n end
  end
  return nil
end

-- The canary's pods are all Ready (Flagger's IsCanaryReady). With no mesh and weight 0 it has none.
local function canary_ready(version)
  for _, pod in ipairs(pods{ version = version }) do
    if pod.phase ~= "Terminating" and not pod.ready then return false end
  end
  return true
end

-- Requests the canary served over `window_ms`, from its request rate (requests per minute).
local function canary_requests(version, window_ms)
  local rpm = metric("request_rate", { version = version, window = window_ms })
  if rpm == nil then return 0 end
  return rpm * window_ms / 60000
end

-- Flagger's built-in checks plus the business metric, evaluated on the canary only.
local function run_checks(p, version)
  local checks = {}
  -- request-success-rate: sum(rate(non-5xx[1m])) / sum(rate(all[1m])) * 100 >= min
  checks[#checks + 1] = {
    name = "request-success-rate", op = ">=", threshold = p.success_rate_min,
    value = metric("success_rate", { version = version, window = p.metric_interval }),
  }
  -- request-duration: histogram_quantile(0.99, ...) in ms, truncated to whole ms as Flagger's
  -- time.Duration(int64(value)) does, <= max
  local p99 = metric("latency_p99_ms", { version = version, window = p.metric_interval })
  checks[#checks + 1] = {
    name = "request-duration", op = "<=", threshold = p.duration_max_ms,
    value = p99 and math.floor(p99) or nil,
  }
  -- conversion-rate as a percentage of its baseline (the seed's thresholdRange min: 80)
  local biz = business_name(p)
  if biz then
    local base = baseline().business[biz]
    local v = metric(biz, { version = version, window = p.business_interval })
    checks[#checks + 1] = {
      name = string.gsub(biz, "_", "-"), op = ">=", threshold = p.business_min_ratio * 100,
      value = (v and base and base > 0) and (100 * v / base) or nil,
    }
  end
  return checks
end

-- A check passes when its value holds the healthy condition; no data (nil, NaN) is a failure, as
-- Flagger's "Halt advancement no values found" is.
local function passes(c)
  local v = c.value
  if v == nil or v ~= v then return false end
  if c.op == ">=" then return v >= c.threshold end
  if c.op == "<=" then return v <= c.threshold end
  if c.op == ">" then return v > c.threshold end
  return v < c.threshold
end

local function all_pass(checks)
  for _, c in ipairs(checks) do
    if not passes(c) then return false end
  end
  return true
end

local function counters(s, weight)
  return string.format("failed_checks=%d/%g weight=%g", S.failed, s.threshold, weight)
end

-- One analysis interval, in advanceCanary's order.
local function analyse(p, r)
  local s = settings(p, r)
  local v = S.version
  local weight = r.weight
  S.next_at = S.next_at + s.interval

  if r.phase == "promoting" then
    explain{ phase = "promoting", counters = counters(s, weight),
             verdict = "promotion in progress: the primary rolls to " .. v }
    S.over = true
    return
  end
  if r.phase == "paused" or r.paused then
    explain{ phase = "suspended", counters = counters(s, weight), verdict = "rollout paused: analysis skipped" }
    return
  end
  if not canary_ready(v) then
    explain{ phase = "waiting", counters = counters(s, weight),
             verdict = "canary " .. v .. " not ready: waiting for its pods (no check counted)" }
    return
  end
  if S.failed >= s.threshold then
    S.over = true
    explain{ phase = "failed", counters = counters(s, weight),
             verdict = string.format("rollback: failed checks threshold reached %d", S.failed) }
    rollback{ reason = string.format("canary %s: failed checks threshold reached %d/%g at weight %g",
                                     v, S.failed, s.threshold, weight) }
    return
  end

  if weight == 0 and not S.started then
    S.started = true
    local to = next_weight(s, 0)
    explain{ phase = "progressing", counters = counters(s, weight),
             verdict = string.format("starting canary analysis: advance canary weight %g", to) }
    set_weight(to)
    return
  end

  -- the minimum-request guard (not in Flagger): too little canary traffic is neither pass nor fail
  if p.min_requests > 0 then
    local served = canary_requests(v, duration(p.metric_interval))
    if served < p.min_requests then
      explain{ phase = "progressing", counters = counters(s, weight),
               verdict = string.format("skip: %.0f canary requests in %s < min_requests %g; hold at weight %g",
                                       served, p.metric_interval, p.min_requests, weight) }
      return
    end
  end

  local checks = run_checks(p, v)
  if not all_pass(checks) then
    S.failed = S.failed + 1
    explain{ phase = "progressing", checks = checks, counters = counters(s, weight),
             verdict = string.format("halt advancement: hold at weight %g", weight) }
    return
  end
  if weight < s.max_weight then
    local to = next_weight(s, weight)
    explain{ phase = "progressing", checks = checks, counters = counters(s, weight),
             verdict = string.format("advance canary weight %g", to) }
    set_weight(to)
    return
  end
  S.over = true
  explain{ phase = "promoting", checks = checks, counters = counters(s, weight),
           verdict = string.format("promote: max weight %g reached, copying %s to the primary", s.max_weight, v) }
  promote()
end

local function tick(p)
  S.changed = false
  local r = rollout()
  if r.strategy ~= "canary" then return end
  -- a new canary: a deploy we have not analysed, with a canary beside the primary
  if r.phase == "progressing" and r.new ~= nil and r.new ~= r.stable and r.deployed_at ~= S.deployed_at then
    S.deployed_at = r.deployed_at
    S.version = r.new
    S.failed = 0
    S.started = false
    S.over = false
    S.next_at = r.deployed_at + settings(p, r).interval
  end
  if S.over or not S.next_at or now() < S.next_at then return end
  if r.phase == "rolling_back" or r.new ~= S.version then
    S.over = true -- rolled back by someone else, or replaced
    explain{ phase = "failed", verdict = "canary " .. S.version .. " is no longer in analysis" }
    return
  end
  analyse(p, r)
end

return {
  name = "flagger",
  description = "Flagger's canary analysis (scheduler.go): cumulative failed checks, no data fails, overshooting steps",
  drives_canary = true, -- the engine stops stepping the weight: only this policy moves it
  interval = "1h", -- a fallback only: next_tick() wakes the policy at each analysis interval and after events

  params = {
    success_rate_min = 95,     -- request-success-rate thresholdRange.min, percent
    duration_max_ms = 500,     -- request-duration (P99) thresholdRange.max, ms
    metric_interval = "1m",    -- the window of both built-in metrics
    business_metric = "",      -- "" = the scenario's first business metric named like "conversion", or none
    business_min_ratio = 0.8,  -- the business metric must stay >= this share of its baseline
    business_interval = "2m",  -- its window
    min_requests = 0,          -- > 0: skip an interval where the canary served fewer requests (not Flagger)
    threshold = DEFAULT,       -- failed checks before rollback; -1 = the scenario's canary.threshold
    max_weight = DEFAULT,      -- percent; -1 = the scenario's canary.maxWeight
    step_weight = DEFAULT,     -- percent; -1 = the scenario's canary.stepWeight
    step_weights = "",         -- "10,20,40"; "" = the scenario's canary.stepWeights, if any
    interval = "",             -- analysis interval; "" = the scenario's canary.interval
  },

  on_start = function(p)
    local r = rollout()
    if r.strategy ~= "canary" then
      S.said_not_canary = true
      explain{ phase = "idle", verdict = "not a canary (strategy " .. r.strategy .. "): flagger does nothing" }
    end
  end,

  -- The rollout state a new analysis starts from (phase, new, deployed_at) changes only with a deploy,
  -- an undo or a resume, which are timeline events: the policy looks a second after an event, and
  -- otherwise sleeps until its next analysis interval (next_tick), as Flagger's scheduler does.
  -- Flagger is told of changes to the Canary and its target, not of every event: on_event receives only
  -- the timeline kinds below (its own weight changes and promotions need no second look).
  events = { "deploy_start", "rollback_start", "resume" },
  on_event = function(p, ev)
    S.changed = true
    next_tick(1000) -- look at the rollout a second later, as a controller's watch would
  end,

  on_tick = function(p)
    tick(p)
    -- sleep until the next analysis interval (Flagger's scheduler runs every analysis.interval)
    if not S.over and S.next_at and S.next_at > now() then next_tick(S.next_at - now()) end
  end,
}
