#!/usr/bin/env bash
# The command line as a user meets it: exit codes, error messages with a place, reports written
# atomically and identically for one seed. usage: cli.sh ROLLSIM SOURCE_DIR
set -u
bin=$1
src=$2
. "$(dirname "$0")/lib.bash"

check "run with no scenario plays the built-in seed incident" 0 "$bin" run
expect_text "the story names the alert with its numbers" "$tmp/out" "ALERT FIRING    HighErrorRate [critical]: error_rate over 5m00s"
expect_text "the story has the rollback" "$tmp/out" "kubectl rollout undo deployment/myapp --to-revision=9"
expect_text "the scores are printed" "$tmp/out" "MTTD"
(cd "$tmp" && "$bin" run --quiet >/dev/null) ; [ $? = 0 ] && echo "ok   run works from any directory" || { echo "FAIL run from another directory"; fails=$((fails+1)); }

check "a failed expectation exits 1" 1 "$bin" run "$src/scenarios/seed-incident.json" --set expect.final_version=v2.5
expect_text "the failed expectation is explained" "$tmp/out" "FAILED final_version: expected v2.5, got v2.4"

printf '{\n  "name": "x",\n  "deployment": {"replicas": 5,}\n}\n' > "$tmp/bad.json"
check "a JSON syntax error exits 2" 2 "$bin" run "$tmp/bad.json"
expect_text "a syntax error names file:line:column" "$tmp/err" "bad.json:3:"

printf '{"name": "x", "deployment": {"replcas": 5}}\n' > "$tmp/typo.json"
check "an unknown key exits 2" 2 "$bin" validate "$tmp/typo.json"
expect_text "an unknown key suggests the nearest name" "$tmp/err" "did you mean 'replicas'"

printf '{"name": "x", "deployment": {"replicas": -3}}\n' > "$tmp/range.json"
check "an out-of-range value exits 2" 2 "$bin" validate "$tmp/range.json"
check "a missing file exits 2" 2 "$bin" run "$tmp/nope.json"
check "an unknown option exits 2" 2 "$bin" run --frobnicate
check "a bad seed exits 2" 2 "$bin" run --seed abc
check "validate accepts every shipped scenario" 0 "$bin" validate "$src"/scenarios/*.json

check "--json and --csv write reports" 0 "$bin" run --seed 7 --json "$tmp/a.json" --csv "$tmp/a.csv" --quiet
check "same seed again" 0 "$bin" run --seed 7 --json "$tmp/b.json" --quiet
if cmp -s "$tmp/a.json" "$tmp/b.json"; then echo "ok   same seed gives a byte-identical JSON report"; else echo "FAIL reports differ"; fails=$((fails+1)); fi
expect_text "the report carries its schema" "$tmp/a.json" '"schema":	"rollsim.report/1"'
[ -z "$(ls "$tmp" | grep '\.tmp$')" ] && echo "ok   no temporary file is left behind" || { echo "FAIL temporary files left"; fails=$((fails+1)); }
check "a report in a missing folder is an internal error, not a crash" 3 "$bin" run --quiet --json "$tmp/missing/dir/r.json"
check "--help" 0 "$bin" --help
expect_text "help lists run" "$tmp/out" "run [SCENARIO]"
check "--version" 0 "$bin" --version

if [ "$fails" -gt 0 ]; then echo "$fails CLI checks failed"; exit 1; fi
echo "all CLI checks passed"
