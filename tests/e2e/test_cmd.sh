#!/usr/bin/env bash
# `rollsim test` as CI meets it: the closing line and exit codes, JUnit XML that parses, golden reports
# that catch a change, the same output whatever the number of jobs, and invalid files with their place.
# usage: test_cmd.sh ROLLSIM SOURCE_DIR
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
check() { # name, expected exit code, command...
    local name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "$name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | tail -8
    else
        ok "$name"
    fi
}
expect_text() { # name, file, fixed string
    if grep -qF -- "$3" "$2"; then ok "$1"; else fail "$1: '$3' not in $2"; sed 's/^/  | /' "$2" | head -5; fi
}
last_line_is() { # name, file, extended regex for the whole last line
    if tail -n 1 "$2" | grep -qE "^$3\$"; then ok "$1"; else fail "$1: last line '$(tail -n 1 "$2")'"; fi
}
# Well-formed XML: python3 or xmllint when the machine has one (CI installs neither), else a rough check
# that every element opened is closed and no raw '&' is left.
xml_ok() { # name, file
    if command -v python3 >/dev/null; then
        python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$2" && ok "$1 (python3)" || fail "$1"
    elif command -v xmllint >/dev/null; then
        xmllint --noout "$2" && ok "$1 (xmllint)" || fail "$1"
    else
        local opened closed
        opened=$(grep -oE '<(testsuites|testsuite|testcase|failure|error)[ >]' "$2" | wc -l)
        closed=$(grep -oE '</(testsuites|testsuite|testcase|failure|error)>|<testcase [^>]*/>' "$2" | wc -l)
        if head -n 1 "$2" | grep -qF '<?xml version="1.0" encoding="UTF-8"?>' && [ "$opened" = "$closed" ] &&
            ! sed -E 's/&(amp|lt|gt|quot|apos|#[0-9]+);//g' "$2" | grep -qF '&'; then
            ok "$1 (grep)"
        else
            fail "$1: $opened elements opened, $closed closed, or a raw '&'"
        fi
    fi
}

# --- a folder that passes: every shipped scenario with its seeds and variants
check "the shipped scenarios pass" 0 "$bin" test "$src/scenarios" --jobs 2
last_line_is "the last line is the closing count" "$tmp/out" "[0-9]+ passed, 0 failed"
expect_text "a case is one line with its seed" "$tmp/out" "PASS  seed-incident [seed 42]  ("
expect_text "variants run with their policies" "$tmp/out" "PASS  canary-redis [seed 7, policy argo-analysis]"
if grep -qE 'policies/|sweeps/' "$tmp/out"; then fail "policies/ and sweeps/ are skipped"; else ok "policies/ and sweeps/ are skipped"; fi

# --- files that are not scenarios, in a folder, are skipped; named, they are errors
mkdir -p "$tmp/suite/nested" "$tmp/suite/sweeps"
cp "$src/scenarios/healthy-release.json" "$tmp/suite/"
cp "$src/scenarios/traffic-drop.json" "$tmp/suite/nested/"
printf '{"sweep": {"seeds": [1, 2]}}\n' >"$tmp/suite/a-sweep.json"
printf '{"schema": "rollsim.report/1"}\n' >"$tmp/suite/a-report.json"
printf '{"name": "in-sweeps"}\n' >"$tmp/suite/sweeps/x.json"
check "a folder is walked recursively" 0 "$bin" test "$tmp/suite"
last_line_is "only its two scenarios run" "$tmp/out" "2 passed, 0 failed"
expect_text "nested folders are walked" "$tmp/out" "PASS  traffic-drop [seed 3]"
check "a sweep named on the command line is an error" 2 "$bin" test "$tmp/suite/a-sweep.json"
expect_text "it says what the file is" "$tmp/out" "is a sweep, not a scenario"
check "a path that does not exist is bad input" 2 "$bin" test "$tmp/nope"

# --- a failing expectation: exit 1, and JUnit names it
check "a failing expectation exits 1" 1 "$bin" test "$src/scenarios/canary-redis.json" \
    --set expect.failed_requests_max=10 --junit "$tmp/junit.xml"
expect_text "the failure line names the expectation" "$tmp/out" \
    "FAIL  canary-redis [seed 42]  failed_requests_max: expected <= 10, got"
last_line_is "the closing line counts the failures" "$tmp/out" "3 passed, 3 failed"
expect_text "JUnit has a failure with the expectation" "$tmp/junit.xml" \
    '<failure message="failed_requests_max: expected &lt;= 10, got'
expect_text "JUnit carries the policy trace" "$tmp/junit.xml" "flagger [failed]"
expect_text "JUnit has one testsuite per scenario file" "$tmp/junit.xml" \
    '<testsuite name="'"$src"'/scenarios/canary-redis.json" tests="6" failures="3" errors="0" skipped="0"'
xml_ok "the JUnit file is well-formed XML" "$tmp/junit.xml"
[ -z "$(ls "$tmp" | grep '\.tmp$')" ] && ok "JUnit is written atomically" || fail "temporary files left"

# --- an "at" expectation: the state of an alert at a time
check "an alert state at a time is checked" 1 "$bin" test "$src/scenarios/seed-incident.json" \
    --set 'expect.at=[{"time": "7m", "alert": "HighErrorRate", "state": "firing"}]' --set 'test.variants=[]'
expect_text "the at-expectation reports the state it saw" "$tmp/out" \
    "at[0]: expected T+07:00 HighErrorRate firing, got HighErrorRate pending"

# --- an invalid scenario: an error with its place, exit 2, in JUnit too
printf '{\n  "name": "broken",\n  "deployment": {"replicas": "5"}\n}\n' >"$tmp/suite/broken.json"
check "an invalid scenario exits 2" 2 "$bin" test "$tmp/suite" --junit "$tmp/junit2.xml"
expect_text "the error has file:line:col" "$tmp/out" "broken.json:3:30 (\$.deployment.replicas): error:"
last_line_is "the invalid file counts as failed" "$tmp/out" "2 passed, 1 failed"
expect_text "JUnit has the error" "$tmp/junit2.xml" '<error message="'
xml_ok "JUnit with an error is well-formed XML" "$tmp/junit2.xml"
rm "$tmp/suite/broken.json"

# --- golden reports
check "--update-golden writes the golden reports" 0 "$bin" test "$tmp/suite" --golden "$tmp/golden" --update-golden
[ -f "$tmp/golden/healthy-release.7.json" ] && ok "one file per case, named by scenario and seed" ||
    fail "golden file missing: $(ls "$tmp/golden")"
check "the same run matches its golden reports" 0 "$bin" test "$tmp/suite" --golden "$tmp/golden"
expect_text "the PASS line says it was compared" "$tmp/out" "(6 expectations, golden)"
check "a change made with --set fails against the golden reports" 1 "$bin" test "$tmp/suite" \
    --golden "$tmp/golden" --set traffic.rpm=12000
expect_text "the first differing figure is shown with its path" "$tmp/out" "golden: scores.failed_requests: golden "
check "a missing golden report fails" 1 "$bin" test "$src/scenarios/seed-incident.json" --golden "$tmp/golden"
expect_text "it says how to write it" "$tmp/out" "is missing (--update-golden writes it)"

# --- the order of the cases, whatever the number of jobs
"$bin" test "$src/scenarios" --jobs 1 >"$tmp/j1" 2>&1
"$bin" test "$src/scenarios" --jobs 4 >"$tmp/j4" 2>&1
"$bin" test "$src/scenarios" -j7 --set traffic.rpm=9000 >"$tmp/j7a" 2>&1
"$bin" test "$src/scenarios" -j1 --set traffic.rpm=9000 >"$tmp/j7b" 2>&1
cmp -s "$tmp/j1" "$tmp/j4" && ok "--jobs 1 and --jobs 4 print the same bytes" || { fail "outputs differ"; diff "$tmp/j1" "$tmp/j4" | head -5; }
cmp -s "$tmp/j7a" "$tmp/j7b" && ok "failing runs too" || fail "failing outputs differ"

check "a bad --jobs is bad input" 2 "$bin" test --jobs 0
check "--update-golden needs --golden" 2 "$bin" test --update-golden

if [ "$fails" -gt 0 ]; then echo "$fails test-command checks failed"; exit 1; fi
echo "all test-command checks passed"
