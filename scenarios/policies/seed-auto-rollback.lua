-- seed-auto-rollback.lua — the seed's Part 6: an automated rollback that watches every release.
--
-- After each deploy it checks the NEW version every `interval` (30 s) and rolls back at the first failed
-- check:
--   error-rate       error rate of the new version over `window` (1m)        <= error_rate (5%)
--   latency-p95      p95 latency of the new version over `window`             <= latency_factor (2) x baseline p95
--   pod-crash-rate   share of the new version's pods that crashed             <= crash_rate (50%)
--                    (restarted, in CrashLoopBackOff, OOMKilled, or Running but not Ready for longer
--                    than crash_grace, 2m); Terminating pods are not counted
--   business metric  the business metric of the new version                  >= business_min (80%) x baseline
--                    (param business_metric; default: the scenario's first, if any; "none" to skip)
-- No data (no traffic yet on the new version, no pods) is not a failure for this policy: the check shows
-- "no data" and the policy waits. After `soak` (15 minutes) without a failed check the release is
-- "stable" and the policy stops watching it, until the next deploy. A rollback (its own or anyone's)
-- ends the watch too. Every evaluation is explained (--explain, the report's policy_trace).
--
--   rollsim run scenarios/seed-incident.json --policy scenarios/policies/seed-auto-rollback.lua --explain

local release = nil -- {version, start, last_check_failed} of the release being watched

local function pct(x) return string.format("%.1f%%", x * 100) end

local function watch(version, start)
  release = { version = version, start = start }
end

-- The version a deploy_start is about: the rollout's target (a rolling update's new version, a canary,
-- a preview), else the version now serving.
local function target_version()
  local r = rollout()
  return r.new or r.stable
end

-- Share of the version's pods that crashed; nil when it has no pods (no data).
local function crash_rate(version, grace_ms)
  local total, crashed = 0, 0
  for _, pod in ipairs(pods{ version = version }) do
    if pod.phase ~= "Terminating" then
      total = total + 1
      local stuck = pod.phase == "Running" and not pod.ready and pod.age_ms > grace_ms
      if pod.restarts > 0 or pod.phase == "CrashLoopBackOff" or pod.last_state == "OOMKilled" or stuck then
        crashed = crashed + 1
      end
    end
  end
  if total == 0 then return nil, 0, 0 end
  return crashed / total, crashed, total
end

local function business_name(p)
  if p.business_metric == "none" then return nil end
  if p.business_metric ~= "" then return p.business_metric end
  return business_metrics()[1]
end

-- The checks of one evaluation, in the order they are explained; the first failed one is the reason.
local function evaluate(p)
  local v = release.version
  local opts = { version = v, window = p.window }
  local base = baseline()
  local checks = {
    { name = "error-rate", value = metric("error_rate", opts), op = "<=", threshold = p.error_rate },
    { name = "latency-p95-ms", value = metric("latency_p95_ms", opts), op = "<=",
      threshold = p.latency_factor * base.latency_p95_ms },
  }
  local crash, crashed, total = crash_rate(v, duration(p.crash_grace))
  checks[#checks + 1] = { name = "pod-crash-rate", value = crash, op = "<=", threshold = p.crash_rate,
                          detail = string.format("%d of %d pods", crashed, total) }
  local biz = business_name(p)
  if biz then
    local b = base.business[biz]
    if b == nil then error("business_metric '" .. biz .. "' is not a business metric of the scenario") end
    checks[#checks + 1] = { name = biz, value = metric(biz, opts), op = ">=", threshold = p.business_min * b }
  end
  return checks
end

local function failed_check(c)
  if c.value == nil then return false end
  if c.op == "<=" then return c.value > c.threshold end
  return c.value < c.threshold
end

local function reason(c, v)
  if c.name == "error-rate" then
    return string.format("roll back %s: error rate %s > %s", v, pct(c.value), pct(c.threshold))
  elseif c.name == "latency-p95-ms" then
    return string.format("roll back %s: p95 latency %.0f ms > %.0f ms (%gx baseline)", v, c.value, c.threshold,
                         c.threshold / baseline().latency_p95_ms)
  elseif c.name == "pod-crash-rate" then
    return string.format("roll back %s: %s of its pods crashed (%s) > %s", v, pct(c.value), c.detail, pct(c.threshold))
  end
  return string.format("roll back %s: %s %.4g < %.4g (%s of baseline)", v, c.name, c.value, c.threshold,
                       pct(c.threshold / baseline().business[c.name]))
end

return {
  name = "seed-auto-rollback",
  kind = "controller",
  interval = "30s",
  params = {
    error_rate = 0.05,        -- fraction of the new version's requests failing over `window`
    latency_factor = 2,       -- p95 above this x baseline p95 fails
    crash_rate = 0.5,         -- share of the new version's pods crashed
    crash_grace = "2m",       -- a Running pod not Ready for longer than this counts as crashed
    business_metric = "",     -- "" = the scenario's first business metric; "none" = no business check
    business_min = 0.8,       -- the business metric below this x baseline fails
    window = "1m",            -- query window of the metrics
    soak = "15m",             -- a release without a failed check for this long is stable
  },

  on_start = function(p)
    local r = rollout()
    if r.new ~= nil and r.deployed_at ~= nil then watch(r.new, r.deployed_at) end
  end,

  on_event = function(p, ev)
    if ev.kind == "deploy_start" then
      watch(target_version(), ev.t)
    elseif ev.kind == "rollback_start" and release then
      explain{ phase = "rolled_back", verdict = "a rollback started: watch of " .. release.version .. " ended" }
      release = nil
    end
  end,

  on_tick = function(p)
    if not release then return end
    local v = release.version
    local age = now() - release.start
    local checks = evaluate(p)
    local first_failed = nil
    for _, c in ipairs(checks) do
      if not first_failed and failed_check(c) then first_failed = c end
    end
    local counters = string.format("release=%s age=%ds soak=%ds", v, age // 1000, duration(p.soak) // 1000)
    local trace = {}
    for i, c in ipairs(checks) do
      trace[i] = { name = c.name, value = c.value, op = c.op, threshold = c.threshold }
    end
    if first_failed then
      local why = reason(first_failed, v)
      explain{ phase = "watching", checks = trace, counters = counters, verdict = why }
      release = nil -- the rollback_start event would end the watch too
      local ok, msg = rollback{ reason = why }
      if not ok then note("seed-auto-rollback: rollback refused: " .. msg) end
      return
    end
    if age >= duration(p.soak) then
      explain{ phase = "stable", checks = trace, counters = counters,
               verdict = "stable: no failed check in " .. p.soak .. ", auto-rollback off for " .. v }
      release = nil
      return
    end
    explain{ phase = "watching", checks = trace, counters = counters, verdict = "pass: keep " .. v }
  end,
}
