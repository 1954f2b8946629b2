-- always-rollback.lua — a naive on-call engineer: every page is acknowledged and answered at once with
-- `kubectl rollout undo`, without reading logs, history or the migrations. It is the foil of
-- operator-runbook.lua: the judge (docs/scoring.md, "Decisions") finds it harmful where the seed's
-- decision tree says a rollback is wrong — an external outage ("wasted time, still broken"), a dropped
-- column or a type change whose values no longer fit ("data lost, the old version fails on the new
-- schema") — and merely acceptable where a quicker forward fix existed (a config fix, a faster hotfix).
-- After the rollback it watches the dashboard and resolves once it has been normal for `healthy_for`.
--
--   rollsim run scenarios/external-outage.json --policy scenarios/policies/always-rollback.lua

local function normal(p)
  local err = metric("error_rate", { window = p.window })
  local p95 = metric("latency_p95_ms", { window = p.window })
  return err ~= nil and err <= p.normal_error_rate and p95 ~= nil and
         p95 <= p.normal_latency_factor * baseline().latency_p95_ms
end

return {
  name = "always-rollback",
  kind = "operator",
  interval = "1m",
  params = {
    window = "1m",              -- dashboard window
    normal_error_rate = 0.01,   -- "normal": error rate at most this ...
    normal_latency_factor = 2,  -- ... and p95 at most this x the baseline p95
    healthy_for = "2m",         -- normal this long before resolving
    poll = "15s",               -- dashboard polling while waiting
    give_up = "45m",            -- stop watching after this long
  },

  on_page = function(p, page)
    if page_open() then ack("always-rollback") end
    local ok, why = rollback{ reason = "paged by " .. page.alert .. ": rolling back first" }
    if not ok then
      note("rollback refused: " .. tostring(why))
      return
    end
    local since, deadline = nil, now() + duration(p.give_up)
    while now() < deadline do
      wait(p.poll)
      if normal(p) and rollout().phase ~= "rolling_back" then
        since = since or now()
        if now() - since >= duration(p.healthy_for) then
          resolve("recovered after the rollback")
          return
        end
      else
        since = nil
      end
    end
  end,
}
