#!/usr/bin/env bash
# `rollsim run --postmortem` and `rollsim lint` as a user meets them: exit codes, files written atomically and
# identically, findings with their place. usage: postmortem_lint.sh ROLLSIM SOURCE_DIR
set -u
bin=$1
src=$2
. "$(dirname "$0")/lib.bash"
sc=$src/scenarios
runbook=$sc/policies/operator-runbook.lua

# ---- post-mortem ----
check "--postmortem writes the report" 0 "$bin" run "$sc/seed-incident.json" --quiet --postmortem "$tmp/pm.md"
expect_text "it has the summary" "$tmp/pm.md" "## Summary"
expect_text "it has the timeline with the total duration" "$tmp/pm.md" "**Total duration**"
expect_text "it has the category" "$tmp/pm.md" "**Category: Code Quality**"
expect_text "it has owners and deadlines to fill" "$tmp/pm.md" "Owner: ____  Deadline: ____"
expect_text "it schedules the blameless post-mortem" "$tmp/pm.md" "Schedule post-mortem within 48 hours, blameless"
check "the same run again" 0 "$bin" run "$sc/seed-incident.json" --quiet --postmortem "$tmp/pm2.md"
if cmp -s "$tmp/pm.md" "$tmp/pm2.md"; then echo "ok   same seed gives a byte-identical post-mortem"; else echo "FAIL post-mortems differ"; fails=$((fails+1)); fi
[ -z "$(ls "$tmp" | grep '\.tmp$')" ] && echo "ok   no temporary file is left behind" || { echo "FAIL temporary files left"; fails=$((fails+1)); }
check "--postmortem - prints it" 0 "$bin" run "$sc/external-outage.json" --policy "$runbook" --postmortem -
expect_text "on stdout, without the summary around it" "$tmp/out" "# Post-incident report: external-outage"
expect_text "the runbook escalated the external outage" "$tmp/out" "escalate** (operator-runbook): judged **correct**"
expect_text "an external outage is a process issue" "$tmp/out" "**Category: Process Issue**"
check "--postmortem needs a file" 2 "$bin" run "$sc/seed-incident.json" --postmortem
check "a post-mortem in a missing folder is an internal error" 3 "$bin" run --quiet --postmortem "$tmp/missing/dir/pm.md"
check "a failed expectation still writes it" 1 "$bin" run "$sc/seed-incident.json" --quiet --set expect.final_version=v2.5 --postmortem "$tmp/pm3.md"
[ -s "$tmp/pm3.md" ] && echo "ok   written although an expectation failed" || { echo "FAIL no post-mortem"; fails=$((fails+1)); }

# ---- the runbook on the decision-tree scenarios ----
for s in db-add-column-empty db-add-column-data db-drop-column db-modify-type-safe db-modify-type-overflow \
         db-add-table-empty db-add-table-orders config-fix external-outage hotfix-faster; do
    check "the runbook meets $s's expectations" 0 "$bin" run "$sc/$s.json" --policy "$runbook"
    if grep -E "DECISION .*operator-runbook: [a-z_]+.* — (harmful|acceptable)" "$tmp/out" >/dev/null; then
        echo "FAIL the runbook made a decision not judged correct on $s"; fails=$((fails+1))
    fi
done
check "always-rollback rolls back an external outage" 0 "$bin" run "$sc/external-outage.json" --policy always-rollback
expect_text "... and is judged harmful" "$tmp/out" "always-rollback: rollback to v6.4 (revision 30) — harmful"

# ---- lint ----
check "lint passes the healthy release" 0 "$bin" lint "$sc/healthy-release.json"
expect_text "lint says what it read" "$tmp/out" "healthy-release.json: scenario: 0 errors, 0 warnings, 0 info"
check "lint fails a drop column without a backup" 1 "$bin" lint "$sc/db-drop-column.json"
expect_text "the finding has its place and check" "$tmp/out" "db-drop-column.json:51:9 (\$.versions[1].migrations[0]): error: migration-backup:"
expect_text "the finding has its fix" "$tmp/out" "    fix: back the table up before the deploy of v3.1"
check "warnings alone exit 0" 0 "$bin" lint "$sc/hotfix-faster.json"
expect_text "the slow rollback is a warning" "$tmp/out" "warning: rollback-time"
check "lint reads a Deployment" 0 "$bin" lint "$src/tests/fixtures/k8s/deployment-myapp.json"
expect_text "it knows it is a Deployment" "$tmp/out" "deployment-myapp.json: Deployment: 0 errors"
check "a Deployment without a readiness probe fails" 1 "$bin" lint "$src/tests/fixtures/k8s/deployment-no-probe.json"
expect_text "the probe's path" "$tmp/out" "(\$.spec.template.spec.containers[0].readinessProbe): error: readiness-probe"
check "a Recreate Deployment fails" 1 "$bin" lint "$src/tests/fixtures/k8s/deployment-recreate.json"
printf '{\n  "deployment": {"revisionHistoryLimit": 0}\n}\n' > "$tmp/nohist.json"
check "no revision history fails" 1 "$bin" lint "$tmp/nohist.json"
expect_text "at the value" "$tmp/out" "nohist.json:2:42 (\$.deployment.revisionHistoryLimit): error: revision-history"
check "--quiet prints only the counts" 1 "$bin" lint --quiet "$tmp/nohist.json"
if grep -q "fix:" "$tmp/out"; then echo "FAIL --quiet printed findings"; fails=$((fails+1)); else echo "ok   --quiet hides the findings"; fi
check "several files: the worst wins" 1 "$bin" lint "$sc/healthy-release.json" "$tmp/nohist.json"
printf '{"deployment": {"replicas": 5,}}\n' > "$tmp/bad.json"
check "invalid JSON exits 2" 2 "$bin" lint "$tmp/bad.json"
expect_text "with its place" "$tmp/err" "bad.json:1:"
check "bad input beats findings" 2 "$bin" lint "$tmp/nohist.json" "$tmp/bad.json"
check "a missing file exits 2" 2 "$bin" lint "$tmp/nope.json"
check "a List exits 2" 2 "$bin" lint "$src/tests/fixtures/k8s/deployment-list.json"
check "no file exits 2" 2 "$bin" lint
check "an unknown option exits 2" 2 "$bin" lint --frobnicate "$sc/healthy-release.json"
check "help lists lint" 0 "$bin" --help
expect_text "help lists lint" "$tmp/out" "lint FILE..."
expect_text "help lists --postmortem" "$tmp/out" "--postmortem FILE"

if [ "$fails" -gt 0 ]; then echo "$fails post-mortem/lint checks failed"; exit 1; fi
echo "all post-mortem and lint checks passed"
