-- operator-runbook.lua — an on-call engineer who walks the seed's whole Part 2 decision tree, with human
-- delays, knowing only what a person on call can know.
--
-- Triggers: a page (acknowledged after `ack_delay`), or a warning alert that pages nobody but is seen in
-- the #alerts channel after `channel_delay` (and is still firing then).
--
-- The quick investigation (Part 1), each look paid in simulated time as a person pays it:
--   dashboard    error rate, p95, request rate, ready pods, business metrics -> severity (free)
--   deployments  what was deployed or rolled back, and when: the #deploys channel (on_event, of the
--                deploy_start and rollback_start kinds only) and rollout() (free)
--   pods         kubectl get pods: crash loops, OOMKilled, restarts (10 s)
--   logs         kubectl logs of a pod of the newest revision (45 s): the symptoms —
--                "ERROR config: ..." (a configuration mistake), "upstream X returned 503" or
--                "circuit breaker X OPEN" (an external dependency), cache errors, heap warnings, slow
--                queries, dropped routes, invalid data (the release)
--   history      kubectl rollout history (15 s): the previous revision and how long it takes to start
--   migrations   the migration tool (20 s): the release's schema changes, their down steps, whether
--                the added column/table holds data, values beyond an old type's range, backups
--
-- Then the tree, first branch that applies:
--   Q1 a simple config mistake (the logs name it)        -> config_fix()            (forward fix)
--   Q2 not caused by the latest deployment (an upstream) -> escalate() to its owner (fix the underlying issue)
--   Q6 irreversible DB changes (drop column, no down     -> hotfix(next version)    (forward fix only)
--      step, values beyond the old type's range)
--   Q7 high impact, rollback < 5 min                      -> rollback               (roll back first)
--   Q8 high impact, rollback >= 5 min                     -> the faster of hotfix and rollback
--   Q5/Q6 medium impact (no or reversible DB changes)     -> rollback (+ backup, down migration)
--   Q4 low impact, < 30 min since the deploy              -> rollback; > 30 min -> hotfix
--   nothing visible                                       -> no decision, keep watching
-- After a rollback: when the release changed the schema reversibly, back up every table whose added
-- column/table holds data (Part 4: "backup table first"), then run the down migration. Then watch the
-- dashboard until normal for `healthy_for` and resolve. Still broken `still_broken` after the rollback
-- completed (the seed's Part 3 "Still broken!"): not deployment-related, escalate.
--
--   rollsim run scenarios/config-fix.json --policy scenarios/policies/operator-runbook.lua

local busy = false
local handled_until = -1 -- pages and alerts raised while an incident was being handled belong to it
local seen = { deploy = nil, rollback = nil } -- the #deploys channel: last deploy and rollback starts

local function pct(x) return x == nil and "no data" or string.format("%.1f%%", x * 100) end
local function ms(x) return x == nil and "no data" or string.format("%.0f ms", x) end
local function mins(t) return string.format("%dm%02ds", t // 60000, (t % 60000) // 1000) end

-- ---------------------------------------------------------------------------------------------------
-- The dashboard (Part 1 severities)

local function dashboard(p)
  local base = baseline()
  local d = {
    err = metric("error_rate", { window = p.window }),
    p95 = metric("latency_p95_ms", { window = p.window }),
    rpm = metric("request_rate", { window = p.window }),
    ready = metric("ready_pods", { window = p.window }),
    business = {},
  }
  for _, name in ipairs(business_metrics()) do
    d.business[#d.business + 1] = { name = name, value = metric(name, { window = p.window }),
                                    baseline = base.business[name] }
  end
  return d
end

-- high: an error spike, a traffic drop, crashing pods, corrupt data; medium: slow but functional;
-- low: errors above twice the baseline; none.
local function severity(p, d, replicas)
  local base = baseline()
  local why = {}
  local level = "none"
  local function raise(to, text)
    local order = { none = 0, low = 1, medium = 2, high = 3 }
    if order[to] > order[level] then level = to end
    for _, w in ipairs(why) do
      if w == text then return end
    end
    why[#why + 1] = text
  end
  if d.err ~= nil and d.err >= p.high_error_rate then raise("high", "error rate " .. pct(d.err)) end
  if d.rpm ~= nil and d.rpm < p.traffic_drop * base.rpm then
    raise("high", string.format("traffic %.0f req/min (baseline %.0f)", d.rpm, base.rpm))
  end
  if replicas ~= nil and replicas > 0 and d.ready ~= nil and d.ready < 0.5 * replicas then
    raise("high", string.format("%d of %d pods ready", math.floor(d.ready), replicas))
  end
  for _, b in ipairs(d.business) do
    if b.value ~= nil and b.baseline ~= nil and b.value < p.business_min * b.baseline then
      raise("high", string.format("%s %.4g (baseline %.4g)", b.name, b.value, b.baseline))
    end
  end
  if d.err ~= nil and d.err >= p.impact_error_rate then raise("medium", "error rate " .. pct(d.err)) end
  if d.p95 ~= nil and d.p95 >= p.latency_factor * base.latency_p95_ms then raise("medium", "p95 " .. ms(d.p95)) end
  if d.err ~= nil and d.err > 2 * base.error_rate then raise("low", "error rate " .. pct(d.err)) end
  return level, table.concat(why, ", ")
end

local function normal(p, d)
  local base = baseline()
  if d.err == nil or d.err > p.impact_error_rate then return false end
  if d.p95 == nil or d.p95 > p.latency_factor * base.latency_p95_ms then return false end
  if d.rpm ~= nil and d.rpm < p.traffic_drop * base.rpm then return false end
  for _, b in ipairs(d.business) do
    if b.value ~= nil and b.baseline ~= nil and b.value < p.business_min * b.baseline then return false end
  end
  return true
end

-- Polls the dashboard until it has been normal for healthy_for (true), or `limit` passes (false).
local function wait_until_normal(p, limit)
  local since, deadline = nil, now() + duration(limit)
  while now() < deadline do
    wait(p.poll)
    if normal(p, dashboard(p)) and rollout().phase ~= "rolling_back" then
      since = since or now()
      if now() - since >= duration(p.healthy_for) then return true end
    else
      since = nil
    end
  end
  return false
end

-- ---------------------------------------------------------------------------------------------------
-- Pods and logs

-- The newest revision's live pods (the release being rolled out, or just rolled out).
local function newest_pods(all)
  local newest = nil
  for _, pod in ipairs(all) do
    if pod.phase ~= "Terminating" and (newest == nil or pod.revision > newest) then newest = pod.revision end
  end
  local list = {}
  for _, pod in ipairs(all) do
    if pod.revision == newest and pod.phase ~= "Terminating" then list[#list + 1] = pod end
  end
  return list
end

local function pod_findings(all)
  local f = { live = 0, ready = 0, crashing = 0, oom = 0, restarts = 0 }
  for _, pod in ipairs(all) do
    if pod.phase ~= "Terminating" then
      f.live = f.live + 1
      if pod.ready then f.ready = f.ready + 1 end
      if pod.phase == "CrashLoopBackOff" then f.crashing = f.crashing + 1 end
      if pod.last_state == "OOMKilled" then f.oom = f.oom + 1 end
      f.restarts = f.restarts + pod.restarts
    end
  end
  return f
end

-- What the logs say: a config mistake, an external dependency, or symptoms of the release.
local release_symptoms = {
  "Cannot connect to cache", "Redis timeout", "Connection refused", "heap at", "GC overhead",
  "never evicted", "slow request", "took %d+ ?ms", "thread pool saturated", "matched no backend",
  "rejected", "requests in the last minute", "invalid data", "checksum mismatch", "constraint violation",
  "OutOfMemory", "panic", "Exception",
}

local function read_logs(lines)
  local r = { config = nil, external = nil, symptom = nil, errors = 0, config_n = 0, external_n = 0,
              symptom_n = 0 }
  for _, line in ipairs(lines) do
    local level, msg = line:match("^%S+%s+(%u+)%s+(.*)$")
    if level == "ERROR" or level == "WARN" then
      r.errors = r.errors + 1
      local dep = msg:match("upstream ([%w%._%-]+) returned") or msg:match("circuit breaker ([%w%._%-]+) OPEN")
      if msg:find("^config:") then
        r.config_n = r.config_n + 1
        r.config = r.config or msg
      elseif dep then
        r.external_n = r.external_n + 1
        r.external = r.external or dep
        r.external_line = r.external_line or msg
      else
        for _, s in ipairs(release_symptoms) do
          if msg:find(s) then
            r.symptom_n = r.symptom_n + 1
            r.symptom = r.symptom or msg
            break
          end
        end
      end
    end
  end
  return r
end

-- ---------------------------------------------------------------------------------------------------
-- History, rollback and hotfix times, migrations

-- The newest revision before the current one that runs another version than the release (a promoted
-- canary leaves a revision of the same template behind).
local function previous_revision(hist, current, release)
  local best = nil
  for _, h in ipairs(hist) do
    if h.revision < current and h.version ~= release and (best == nil or h.revision > best.revision) then best = h end
  end
  return best
end

local function waves(p, replicas) return math.max(1, (replicas + p.pods_per_wave - 1) // p.pods_per_wave) end

-- The seed's Part 3 times: a blue-green switch back to pods still up (1-2 s), a canary abort with a mesh
-- (1 s), else a rolling update of the old version, wave by wave.
local function rollback_eta(p, r, prev, all, replicas)
  if r.strategy == "blue_green" and prev ~= nil then
    local up = 0
    for _, pod in ipairs(all) do
      if pod.version == prev.version and pod.ready and pod.phase ~= "Terminating" then up = up + 1 end
    end
    if up >= replicas then return 2000 end
  end
  if r.strategy == "canary" and r.new ~= nil and r.mesh then return 1000 end
  local start = (prev and prev.startup_ms or duration(p.default_startup)) + duration(p.pod_overhead)
  return waves(p, replicas) * start
end

-- The fixed version: the first version listed after the release (versions listed later are newer) that
-- never ran here (a version of the rollout history is an old one, not a fix).
local function hotfix_version(release, hist)
  local old = {}
  for _, h in ipairs(hist) do old[h.version] = true end
  local found = false
  for _, v in ipairs(versions()) do
    if found and not old[v] then return v end
    if v == release then found = true end
  end
  return nil
end

-- "none", "reversible" or "irreversible", and the tables whose data a down step would drop unbacked.
local function data_changes(migs)
  local what, tables, list = "none", {}, {}
  for _, m in ipairs(migs) do
    if m.status == "applied" or m.status == "could not be reverted" then
      local lost = m.kind == "drop_column" or not m.has_down or m.status == "could not be reverted" or
                   (m.kind == "modify_column" and (m.values_over_old_range or 0) > 0)
      list[#list + 1] = string.format("%s %s%s%s (%s%s)", m.kind, m.table, m.column ~= "" and "." or "", m.column,
                                      m.has_down and "down step" or "no down step",
                                      (m.rows_with_data or 0) > 0 and string.format(", %.0f rows with data", m.rows_with_data)
                                      or (m.values_over_old_range or 0) > 0
                                      and string.format(", %.0f values beyond the old type", m.values_over_old_range)
                                      or ", no data yet")
      if lost then
        what = "irreversible"
      else
        if what == "none" then what = "reversible" end
        if (m.rows_with_data or 0) > 0 and not m.backed_up then tables[#tables + 1] = m.table end
      end
    end
  end
  return what, tables, table.concat(list, "; ")
end

-- ---------------------------------------------------------------------------------------------------
-- Acting

local function wait_rollback_done(p)
  local deadline = now() + duration(p.give_up)
  repeat
    wait(p.poll)
  until rollout().phase ~= "rolling_back" or now() >= deadline
end

local function watch_and_resolve(p, summary, what)
  if wait_until_normal(p, p.give_up) then
    resolve(summary)
    return true
  end
  note("metrics still not normal " .. p.give_up .. " after " .. what .. "; escalating")
  escalate("the owning team")
  return false
end

local function revert_schema(p, release, tables)
  local done = {}
  for _, t in ipairs(tables) do
    if not done[t] then
      done[t] = true
      local ok, why = backup(t)
      note(ok and ("BACKUP TABLE " .. t .. " before the down migration (its new data would be dropped)")
           or ("backup of " .. t .. " failed: " .. tostring(why)))
    end
  end
  wait(p.act_delay)
  local ok, why = migrate_down(release)
  note(ok and ("down migration of " .. release .. " done") or ("down migration of " .. release .. " failed: " .. tostring(why)))
end

local function do_rollback(p, ctx, reason)
  wait(p.announce_delay)
  note(string.format("Starting rollback to %s (revision %d), ETA %s", ctx.prev.version, ctx.prev.revision,
                     mins(ctx.eta)))
  wait(p.act_delay)
  local ok, why = rollback{ reason = reason, revision = ctx.strategy == "rolling" and ctx.prev.revision or nil }
  if not ok then
    note("rollback failed: " .. tostring(why) .. "; escalating")
    escalate("the owning team")
    return
  end
  wait_rollback_done(p)
  if ctx.data == "reversible" then revert_schema(p, ctx.release, ctx.tables) end
  if wait_until_normal(p, p.still_broken) then
    resolve(string.format("Service restored to %s%s. Root cause: %s in %s. Next: fix it, add a test, "
                          .. "post-mortem within 48 hours", ctx.prev.version,
                          ctx.data == "reversible" and " with its schema" or "", ctx.cause_text, ctx.release))
    return
  end
  -- Part 3: "Still broken! Issue not deployment-related: deeper investigation needed"
  note(string.format("Still broken %s after the rollback: not deployment-related; escalating",
                     mins(duration(p.still_broken))))
  escalate("the owning team (still broken after the rollback)")
  watch_and_resolve(p, "Service recovered after the escalation; see the incident channel", "the escalation")
end

local function do_hotfix(p, ctx, why)
  wait(p.announce_delay)
  note(string.format("Decision: forward fix %s (%s)", ctx.fix, why))
  wait(p.act_delay)
  local ok, err = hotfix(ctx.fix)
  if not ok then
    note("hotfix failed: " .. tostring(err) .. "; escalating")
    escalate("the owning team")
    return
  end
  local summary = string.format("Hotfix %s deployed; %s. Root cause: %s in %s. Next: post-mortem within 48 hours",
                                ctx.fix, why, ctx.cause_text, ctx.release)
  -- the build, then its rollout
  local deadline = now() + duration(p.give_up)
  while now() < deadline and rollout().stable ~= ctx.fix do wait(p.poll) end
  watch_and_resolve(p, summary, "the hotfix")
end

-- ---------------------------------------------------------------------------------------------------
-- The runbook

local function investigate_and_decide(p, trigger)
  local r = rollout()
  local release = r.new or r.stable
  -- somebody (an automated rollback, a colleague) already rolled the release back: watch it recover
  if r.phase == "rolling_back" or (seen.rollback ~= nil and seen.deploy ~= nil and seen.rollback >= seen.deploy) then
    seen.rollback = seen.rollback or now()
    note(string.format("A rollback already started at %s (after the deploy at %s): watching it recover",
                       mins(seen.rollback), mins(seen.deploy)))
    watch_and_resolve(p, "Recovered after the rollback that started at " .. mins(seen.rollback), "the rollback")
    return
  end
  local all = pods()
  local pf = pod_findings(newest_pods(all))
  local replicas = math.max(pf.live, 1)
  local list = newest_pods(all)
  local pod = nil
  for _, x in ipairs(list) do
    if x.phase == "Running" then pod = x; break end
  end
  pod = pod or list[1]
  local lg = read_logs(pod and logs(pod.name, p.log_lines) or {})
  local hist = history()
  local prev = previous_revision(hist, r.revision, release)
  local migs = migrations(release)
  local data, tables, data_text = data_changes(migs)
  wait(p.decide_delay)

  local d = dashboard(p)
  local level, why = severity(p, d, replicas)
  local since = r.deployed_at and now() - r.deployed_at or nil
  local recent = since ~= nil and since < duration(p.recent)
  local ctx = { release = release, prev = prev, data = data, tables = tables, fix = hotfix_version(release, hist),
                strategy = r.strategy }
  ctx.eta = rollback_eta(p, r, prev, all, replicas)
  local build = duration(p.hotfix_build) + waves(p, replicas) * (duration(p.default_startup) + duration(p.pod_overhead))
  local cause_release = lg.symptom_n > 0 or pf.oom > 0 or pf.crashing > 0
  ctx.cause_text = lg.symptom or (pf.oom > 0 and "OOMKilled pods") or (pf.crashing > 0 and "crash-looping pods")
                   or "a regression"

  explain{
    phase = "assess",
    checks = {
      { name = "error-rate", value = d.err, op = "<", threshold = p.impact_error_rate },
      { name = "latency-p95-ms", value = d.p95, op = "<", threshold = p.latency_factor * baseline().latency_p95_ms },
      { name = "request-rate", value = d.rpm, op = ">=", threshold = p.traffic_drop * baseline().rpm },
      { name = "rollback-eta-s", value = ctx.eta / 1000, op = "<", threshold = duration(p.rollback_fast) / 1000 },
    },
    counters = string.format("impact=%s logs: %d errors (config %d, external %d, release %d) pods: %d/%d ready, "
                             .. "%d OOMKilled data=%s", level, lg.errors, lg.config_n, lg.external_n, lg.symptom_n,
                             pf.ready, pf.live, pf.oom, data),
    verdict = trigger,
  }
  note(string.format("Findings: %s; %s deployed %s ago; pods %d/%d ready, %d restarts, %d OOMKilled; logs: %d "
                     .. "ERROR/WARN lines of %d%s", why ~= "" and why or "dashboard normal", release,
                     since and mins(since) or "(never)", pf.ready, pf.live, pf.restarts, pf.oom, lg.errors, p.log_lines,
                     lg.config and (", '" .. lg.config .. "'") or lg.external_line and (", '" .. lg.external_line .. "'")
                     or lg.symptom and (", '" .. lg.symptom .. "'") or ""))
  note(string.format("Schema of %s: %s (%s); rollback to %s takes about %s", release,
                     data_text ~= "" and data_text or "no migrations", data == "none" and "no DB changes" or data,
                     prev and prev.version or "(none)", mins(ctx.eta)))

  -- Q1: can it be fixed quickly? A simple config mistake: update the config map, restart the pods.
  if lg.config_n > 0 then
    wait(p.announce_delay)
    note("Decision: forward fix, config map + restart (" .. lg.config .. "); no rollback needed")
    wait(p.act_delay)
    local ok, err = config_fix()
    if not ok then note("config fix failed: " .. tostring(err)) end
    watch_and_resolve(p, "Config map fixed and pods restarted; " .. release .. " stays. Root cause: " .. lg.config
                         .. ". Next: validate config in CI, post-mortem within 48 hours", "the config fix")
    return
  end
  -- Q2: is it caused by the latest deployment? Not when an upstream fails and the release shows nothing.
  if lg.external_n > 0 and not cause_release then
    wait(p.announce_delay)
    note(string.format("Decision: external root cause, %s is failing ('%s'); rolling back %s would not help. "
                       .. "Escalating to its owners", lg.external, lg.external_line, release))
    escalate(lg.external .. " owners")
    watch_and_resolve(p, string.format("%s recovered; %s still running. Root cause: %s outage", lg.external, release,
                                       lg.external), "the escalation")
    return
  end
  if level == "none" then
    note("Dashboard normal now (" .. trigger .. " no longer visible): watching")
    if not wait_until_normal(p, p.give_up) then escalate("the owning team") end
    return
  end
  if not cause_release and not recent then
    note("No recent deploy and nothing in the release's logs: not deployment-related; escalating")
    escalate("the owning team")
    watch_and_resolve(p, "Recovered after the escalation", "the escalation")
    return
  end
  if prev == nil then
    note("No previous revision in the rollout history: cannot roll back")
    if ctx.fix then do_hotfix(p, ctx, "no revision to roll back to") else escalate("the owning team") end
    return
  end
  -- Q6 (irreversible): the data cannot be reverted: forward fix only.
  if data == "irreversible" then
    if ctx.fix then
      do_hotfix(p, ctx, "the schema change cannot be reverted (" .. data_text .. "): forward fix only")
    else
      note("Irreversible schema change and no fix ready: escalating to the owning team for a forward fix")
      escalate("the owning team (forward fix only)")
    end
    return
  end
  -- Q3: user impact severity
  if level == "high" then
    if ctx.eta < duration(p.rollback_fast) then
      note(string.format("Decision: high impact (%s), rollback takes about %s: IMMEDIATE rollback to %s, debug later",
                         why, mins(ctx.eta), prev.version))
      do_rollback(p, ctx, string.format("high impact (%s) after %s; rollback ETA %s < 5 min", why, release, mins(ctx.eta)))
    elseif ctx.fix and build < ctx.eta then
      do_hotfix(p, ctx, string.format("high impact (%s); rollback would take about %s, the fix about %s", why,
                                      mins(ctx.eta), mins(build)))
    else
      note(string.format("Decision: high impact (%s), no faster forward fix: rollback to %s (about %s)", why,
                         prev.version, mins(ctx.eta)))
      do_rollback(p, ctx, string.format("high impact (%s), no faster fix", why))
    end
  elseif level == "medium" then
    note(string.format("Decision: medium impact (%s), %s: rollback to %s%s", why,
                       data == "none" and "no DB changes" or "reversible DB changes", prev.version,
                       data == "none" and "" or " then the down migration"))
    do_rollback(p, ctx, string.format("medium impact (%s) since %s, %s DB changes", why, release, data))
  else -- low
    if since ~= nil and since > duration(p.forward_after) and ctx.fix then
      do_hotfix(p, ctx, string.format("low impact %s after the deploy: more data changes, rollback riskier", mins(since)))
    else
      note(string.format("Decision: low impact (%s) %s after the deploy: low-risk rollback to %s", why,
                         since and mins(since) or "?", prev.version))
      do_rollback(p, ctx, string.format("low impact (%s), deployed %s ago", why, since and mins(since) or "?"))
    end
  end
end

local function handle(p, trigger, paged)
  busy = true
  if paged then
    wait(p.ack_delay)
    if page_open() then ack(p.who) end
  else
    wait(p.channel_delay)
    if page_open() then ack(p.who) end
    local still = false
    for _, a in ipairs(alerts()) do
      if a.name == trigger and a.state == "firing" then still = true end
    end
    if not still then
      busy = false
      return
    end
  end
  wait(p.open_channel)
  note(string.format("Created #incident: %s %s, investigating (%s)", trigger, paged and "paged" or "firing in #alerts",
                     p.who))
  investigate_and_decide(p, trigger)
  busy = false
  handled_until = now()
end

return {
  name = "operator-runbook",
  kind = "operator",
  interval = "1m",
  params = {
    who = "on-call engineer",
    ack_delay = "50s",          -- page -> acknowledgement (getting to the laptop)
    channel_delay = "3m",       -- a warning in #alerts (no page) -> noticed
    open_channel = "40s",       -- acknowledgement -> incident channel created
    decide_delay = "20s",       -- reading the findings, deciding
    announce_delay = "10s",     -- writing the decision to the channel
    act_delay = "10s",          -- typing the command
    log_lines = 100,            -- lines of logs read from one pod of the newest revision
    recent = "60m",             -- a deploy this recent is a suspect even without symptoms in the logs
    forward_after = "30m",      -- Q4: low impact this long after the deploy -> forward fix
    rollback_fast = "5m",       -- Q7: a rollback quicker than this is immediate
    pods_per_wave = 2,          -- pods replaced per rolling wave (the seed's maxSurge 1 + maxUnavailable 1)
    pod_overhead = "20s",       -- image pull, readiness probe, minReadySeconds on top of a version's start-up
    default_startup = "30s",    -- start-up of a version the history does not describe
    hotfix_build = "10m",       -- the team's build-and-release pipeline for a hotfix
    window = "1m",              -- dashboard window
    high_error_rate = 0.05,     -- Part 1: an error spike (critical)
    impact_error_rate = 0.01,   -- users impacted above this error rate ...
    latency_factor = 2,         -- ... or p95 above this x the baseline p95 (slow but functional)
    traffic_drop = 0.5,         -- traffic below this share of the baseline: users cannot reach us
    business_min = 0.8,         -- a business metric below this share of its baseline: data issue
    healthy_for = "2m",         -- normal this long before resolving
    poll = "15s",               -- how often the dashboard is looked at while waiting
    still_broken = "8m",        -- not normal this long after a completed rollback: not the deployment
    give_up = "45m",            -- stop waiting for normal after this long, and escalate
  },

  on_event = function(p, ev)
    -- the #deploys channel: what was deployed or rolled back, and when (nothing a person could not see)
    if ev.kind == "deploy_start" then
      seen.deploy = ev.t
    elseif ev.kind == "rollback_start" then
      seen.rollback = ev.t
    end
  end,

  on_page = function(p, page)
    if busy or page.t < handled_until then
      note("page " .. page.alert .. " while handling the incident: part of it")
      return
    end
    handle(p, page.alert, true)
  end,

  on_alert = function(p, alert)
    if alert.state ~= "firing" or alert.severity == "critical" or busy or alert.t < handled_until then return end
    handle(p, alert.name, false)
  end,
}
