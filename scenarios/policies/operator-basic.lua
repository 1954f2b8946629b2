-- operator-basic.lua — an on-call engineer who follows the seed's Part 2 first steps, with human delays.
--
-- On a page: get to the laptop (ack_delay), acknowledge, open the incident channel, look at the pods and
-- at the logs of the newest revision (looking costs time: pods 10 s, logs 45 s, history 15 s), then
--   * ERROR lines in the newest revision's logs and a deploy less than `recent` ago
--       -> the release is the likely cause: note the decision, roll back to the previous revision,
--          watch the dashboard until it has been normal for `healthy_for`, resolve;
--   * otherwise -> not obviously the release: escalate to the owning team and keep watching.
-- Loading it makes the scenario's scripted on-call step aside (only the timeline's deploys are kept).
--
--   rollsim run scenarios/seed-incident.json --policy scenarios/policies/operator-basic.lua

local busy = false -- one incident at a time: a second page while handling one is only noted

local function count_errors(lines)
  local n, sample = 0, nil
  for _, line in ipairs(lines) do
    local msg = line:match("ERROR%s+(.*)$")
    if msg then
      n = n + 1
      sample = sample or msg
    end
  end
  return n, sample
end

-- The newest revision's pods (the release being rolled out or just rolled out).
local function newest_pods(all)
  local newest = nil
  for _, pod in ipairs(all) do
    if pod.phase ~= "Terminating" and (newest == nil or pod.revision > newest) then newest = pod.revision end
  end
  local list = {}
  for _, pod in ipairs(all) do
    if pod.revision == newest and pod.phase ~= "Terminating" then list[#list + 1] = pod end
  end
  return list, newest
end

-- The revision before the current one in `kubectl rollout history`, or nil.
local function previous_revision(hist, current)
  local best = nil
  for _, h in ipairs(hist) do
    if h.revision < current and (best == nil or h.revision > best.revision) then best = h end
  end
  return best
end

local function dashboard_normal(p)
  local base = baseline()
  local err = metric("error_rate", { window = p.window })
  local p95 = metric("latency_p95_ms", { window = p.window })
  return err ~= nil and err <= p.normal_error_rate and p95 ~= nil and p95 <= p.normal_latency_factor * base.latency_p95_ms,
         err, p95
end

-- Polls the dashboard until it has been normal for healthy_for (or give_up passes). Returns true when normal.
local function wait_until_normal(p)
  local since, deadline = nil, now() + duration(p.give_up)
  while now() < deadline do
    wait(p.poll)
    local ok = dashboard_normal(p)
    if ok then
      since = since or now()
      if now() - since >= duration(p.healthy_for) then return true end
    else
      since = nil
    end
  end
  return false
end

local function handle(p, page)
  wait(p.ack_delay)
  ack("on-call engineer")
  wait(p.open_channel)
  note(string.format("Created #incident: %s firing on %s, investigating (%s)", page.alert, "production", p.who))
  local list, revision = newest_pods(pods())
  local r = rollout()
  local errors, sample, pod_name = 0, nil, nil
  if #list > 0 then
    pod_name = list[1].name
    errors, sample = count_errors(logs(pod_name, p.log_lines))
  end
  local recent = r.deployed_at ~= nil and now() - r.deployed_at < duration(p.recent)
  local since = r.deployed_at and string.format("%d min", (now() - r.deployed_at) // 60000) or "no deploy"
  if errors == 0 or not recent then
    note(string.format("Update: %d ERROR lines in %s's logs, last deploy %s ago: not clearly the release; "
                       .. "escalating", errors, pod_name or "the pods", since))
    escalate("the owning team")
    wait_until_normal(p)
    return
  end
  local prev = previous_revision(history(), revision or r.revision)
  if prev == nil then
    note("Update: errors after the deploy but no previous revision to roll back to; escalating")
    escalate("the owning team")
    return
  end
  wait(p.decide_delay)
  note(string.format("Update: logs of %s say '%s' (%d ERROR lines of %d) after the deploy %s ago. "
                     .. "Decision: rollback to %s", pod_name, sample, errors, p.log_lines, since, prev.version))
  wait(p.announce_delay)
  note(string.format("Starting rollback to %s (revision %d), ETA 3 minutes", prev.version, prev.revision))
  wait(p.act_delay)
  local ok, why = rollback{ revision = prev.revision,
                            reason = string.format("%d ERROR lines in %s's logs since the deploy %s ago",
                                                   errors, r.new or r.stable, since) }
  if not ok then
    note("rollback failed: " .. why .. "; escalating")
    escalate("the owning team")
    return
  end
  if wait_until_normal(p) then
    resolve(string.format("Service restored to %s. Root cause: %s in %s. Next: fix it, add a test, post-mortem",
                          prev.version, sample, r.new or r.stable))
  else
    note("metrics still not normal " .. p.give_up .. " after the rollback; escalating")
    escalate("the owning team")
  end
end

return {
  name = "operator-basic",
  kind = "operator",
  interval = "1m",
  params = {
    who = "on-call engineer",
    ack_delay = "50s",          -- page -> acknowledgement (getting to the laptop)
    open_channel = "40s",       -- acknowledgement -> incident channel created
    decide_delay = "30s",       -- reading what was found, deciding
    announce_delay = "20s",     -- writing the decision to the channel
    act_delay = "10s",          -- typing the kubectl command
    log_lines = 100,            -- lines of logs read from one pod of the newest revision
    recent = "60m",             -- a deploy this recent is a suspect
    window = "1m",              -- dashboard window
    normal_error_rate = 0.01,   -- "normal": error rate at most this ...
    normal_latency_factor = 2,  -- ... and p95 at most this x baseline
    healthy_for = "2m",         -- normal this long before resolving
    poll = "15s",               -- how often the dashboard is looked at while waiting
    give_up = "30m",            -- stop waiting for normal after this long
  },

  on_page = function(p, page)
    if busy then
      note("second page (" .. page.alert .. ") while handling the incident")
      return
    end
    busy = true
    handle(p, page)
    busy = false
  end,
}
