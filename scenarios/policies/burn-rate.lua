-- burn-rate.lua — multiwindow, multi-burn-rate SLO alerts (Google SRE Workbook, chapter "Alerting on
-- SLOs", section 6 "Multiwindow, Multi-Burn-Rate Alerts", https://sre.google/workbook/alerting-on-slos/).
--
-- Burn rate = error ratio over a window / (1 - SLO): 1 spends the error budget exactly over the SLO
-- window, 14.4 spends 2% of a 30-day budget in one hour. The Workbook's recommended rules for a 99.9%
-- SLO, each needing BOTH its long and its short window above the burn rate (the short window, 1/12 of
-- the long one, makes the alert stop soon after the errors stop):
--
--   page    long 1h and short 5m   burn rate > 14.4   (2% of the budget spent)
--   page    long 6h and short 30m  burn rate > 6      (5%)
--   ticket  long 3d and short 6h   burn rate > 1      (10%)
--
-- What this policy does with them:
--   * during the soak after a release (`soak` from the deploy), a page-level burn rolls back
--     (rollback{reason=...}): the release is the likely cause and the budget is going fast;
--   * outside the soak a page-level burn is recorded as a decision (decide(): it pages nobody here,
--     the scenario's alert rules do that) and a ticket-level burn as a note, once each time they start;
--   * every evaluation is explained, with the burn rate of each window.
--
-- Windows longer than the run: the metric store holds the run (and a few minutes of warm-up before it),
-- so an error ratio over 1 h at T+10m would only cover those minutes and burn far too fast. With
-- pad_with_baseline (the default) the part of a window before the run counts as the scenario's baseline
-- (baseline().error_rate at baseline().rpm), as the service ran healthy before the run began.

-- Alert state, so that decisions and notes are made when an alert starts, not on every evaluation.
local S = {
  release_at = nil,       -- ms of the last deploy_start (a release), nil after a rollback
  rolled_back = false,    -- this policy rolled the release back
  firing = {},            -- rule name -> true while the rule holds
}

-- The error ratio of the whole service over `window_ms` at now(); nil when there is no data.
local function error_ratio(p, window_ms)
  local t = now()
  if not p.pad_with_baseline or window_ms <= t then
    return metric("error_rate", { window = window_ms })
  end
  -- the window starts before the run: measured part (0, t] plus the baseline before it
  local b = baseline()
  local pre_req = b.rpm * (window_ms - t) / 60000
  local run_req, run_err = 0, 0
  local er = t > 0 and metric("error_rate", { window = t }) or nil
  local rr = t > 0 and metric("request_rate", { window = t }) or nil
  if er and rr then
    run_req = rr * t / 60000
    run_err = er * run_req
  end
  local total = run_req + pre_req
  if total <= 0 then return nil end
  return (run_err + b.error_rate * pre_req) / total
end

-- The Workbook's three rules, from the params.
local function rules(p)
  return {
    { name = "page-fast", severity = "page", burn = p.page_long_burn,
      long = p.page_long_window, short = p.page_short_window },
    { name = "page-slow", severity = "page", burn = p.page_slow_burn,
      long = p.page_slow_long_window, short = p.page_slow_short_window },
    { name = "ticket", severity = "ticket", burn = p.ticket_burn,
      long = p.ticket_long_window, short = p.ticket_short_window },
  }
end

-- The Workbook's rules compare with ">". The seed's baseline error ratio (0.1%) is exactly the budget
-- of a 99.9% SLO, a burn rate of 1: a relative tolerance keeps float rounding from opening a ticket.
local function above(burn, threshold)
  return burn ~= nil and burn > threshold * (1 + 1e-9)
end

local function fmt_burn(x)
  if x == nil then return "no data" end
  return string.format("%.1f", x)
end

return {
  name = "burn-rate",
  description = "SRE Workbook multiwindow, multi-burn-rate SLO alerts; rolls back on a page-level burn during the soak",
  interval = "30s", -- evaluation interval of the rules

  params = {
    slo = 0.999,                      -- availability objective; error budget = 1 - slo
    soak = "1h",                      -- after a deploy, a page-level burn rolls back
    page_long_burn = 14.4,            -- fast page: burn rate over both windows below
    page_long_window = "1h",
    page_short_window = "5m",
    page_slow_burn = 6,               -- slow page
    page_slow_long_window = "6h",
    page_slow_short_window = "30m",
    ticket_burn = 1,                  -- ticket
    ticket_long_window = "3d",
    ticket_short_window = "6h",
    pad_with_baseline = true,         -- the part of a window before the run counts at the baseline
  },

  on_event = function(p, ev)
    if ev.kind == "deploy_start" then
      S.release_at = ev.t
      S.rolled_back = false
    elseif ev.kind == "rollback_start" then
      S.release_at = nil -- a rollback ends the soak: its burn is the release's, not the rollback's
    end
  end,

  on_tick = function(p)
    local budget = 1 - p.slo
    local cache, checks = {}, {}
    local function burn(window)
      local ms = duration(window)
      if cache[ms] == nil then
        local ratio = error_ratio(p, ms)
        cache[ms] = ratio and ratio / budget or false
      end
      return cache[ms] or nil
    end

    local soak_ms = duration(p.soak)
    local in_soak = S.release_at ~= nil and now() - S.release_at < soak_ms
    local page_now, reasons = nil, {}
    for _, rule in ipairs(rules(p)) do
      local bl, bs = burn(rule.long), burn(rule.short)
      checks[#checks + 1] = { name = "burn " .. rule.long, value = bl, op = "<=", threshold = rule.burn }
      checks[#checks + 1] = { name = "burn " .. rule.short, value = bs, op = "<=", threshold = rule.burn }
      local on = above(bl, rule.burn) and above(bs, rule.burn)
      local why = nil
      if on then
        why = string.format("%s burn %s/%s = %s/%s > %g", rule.severity, rule.long, rule.short,
                            fmt_burn(bl), fmt_burn(bs), rule.burn)
        reasons[#reasons + 1] = why
        if rule.severity == "page" then page_now = page_now or why end
      end
      -- record the start of each rule's burn once (outside the soak, or when the soak does not act)
      if on and not S.firing[rule.name] and not (in_soak and rule.severity == "page") then
        if rule.severity == "page" then decide(why) else note("burn-rate: " .. why) end
      elseif not on and S.firing[rule.name] then
        note("burn-rate: " .. rule.name .. " no longer burning")
      end
      S.firing[rule.name] = on
    end

    local phase = in_soak and "soak" or "watching"
    local counters = string.format("slo=%g budget=%g%% soak=%s", p.slo, budget * 100,
                                   in_soak and string.format("%ds/%ds", (now() - S.release_at) // 1000, soak_ms // 1000) or "off")
    local verdict = #reasons > 0 and table.concat(reasons, "; ") or "within budget"
    if in_soak and page_now and not S.rolled_back then
      S.rolled_back = true
      verdict = "rollback: " .. page_now .. " during the soak"
      explain{ phase = phase, checks = checks, counters = counters, verdict = verdict }
      local ok, refused = rollback{ reason = page_now .. " within " .. p.soak .. " of the release" }
      if not ok then note("burn-rate: rollback refused: " .. refused) end
      return
    end
    explain{ phase = phase, checks = checks, counters = counters, verdict = verdict }
  end,
}
