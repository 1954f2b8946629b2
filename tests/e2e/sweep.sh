#!/usr/bin/env bash
# rollsim sweep and merge as a user meets them: a small sweep end to end, shards merged into exactly the
# unsharded summary, and an interrupted sweep (kill -INT midway) resumed to the same summary.
# usage: sweep.sh ROLLSIM SOURCE_DIR
set -u
bin=$1
src=$2
. "$(dirname "$0")/lib.bash"
same() { # name, file, file
    if cmp -s "$2" "$3"; then echo "ok   $1"; else echo "FAIL $1: $2 and $3 differ"; fails=$((fails + 1)); fi
}

cat >"$tmp/s.json" <<EOF
{"sweep": {"name": "e2e", "scenario": "$src/scenarios/canary-healthy.json", "policy": "flagger",
  "duration": "20m",
  "params": {"threshold": [1, 5], "interval": ["30s", "1m"]},
  "noise": {"error_blip": {"probability": 0.5, "error_rate": ["4%", "12%"], "duration": ["30s", "90s"]},
            "blip_start": ["0s", "4m"]},
  "mix": [{"kind": "healthy", "weight": 0.5},
          {"kind": "redis_connection_bug", "weight": 0.5, "onset": ["0s", "2m"], "severity": [0.5, 1]}],
  "seeds": 60, "current": {"threshold": 5, "interval": "30s"}}}
EOF
total=240

check "a small sweep runs end to end" 0 "$bin" sweep "$tmp/s.json" --out "$tmp/one" --png "$tmp/one.png"
expect_text "it prints the Pareto front" "$tmp/out" "Pareto front"
expect_text "it prints the current setting" "$tmp/out" "threshold=5 interval=30s"
expect_text "progress goes to stderr as plain lines when not on a terminal" "$tmp/err" "runs (100%)"
[ "$(wc -l <"$tmp/one/runs.jsonl")" = "$total" ] && echo "ok   one line per run in runs.jsonl" || { echo "FAIL runs.jsonl has $(wc -l <"$tmp/one/runs.jsonl") lines"; fails=$((fails+1)); }
[ "$(wc -l <"$tmp/one/points.csv")" = 5 ] && echo "ok   points.csv has a header and one row per setting" || { echo "FAIL points.csv"; fails=$((fails+1)); }
expect_text "points.csv marks the front" "$tmp/one/points.csv" ",on_front"
[ -s "$tmp/one.png" ] && head -c 4 "$tmp/one.png" | grep -q PNG && echo "ok   --png writes a PNG" || { echo "FAIL no PNG"; fails=$((fails+1)); }
check "a second sweep into the same folder is refused without --resume" 2 "$bin" sweep "$tmp/s.json" --out "$tmp/one"
expect_text "the refusal says what to do" "$tmp/err" "--resume"

for i in 0 1 2; do
    check "shard $i/3" 0 "$bin" sweep "$tmp/s.json" --out "$tmp/shard$i" --shard $i/3 --quiet
done
check "merge combines the shards" 0 "$bin" merge "$tmp/merged" "$tmp/shard0" "$tmp/shard1" "$tmp/shard2" --quiet
same "merged shards give the unsharded points.csv byte for byte" "$tmp/one/points.csv" "$tmp/merged/points.csv"
same "merged shards give the unsharded points.jsonl byte for byte" "$tmp/one/points.jsonl" "$tmp/merged/points.jsonl"
check "merge refuses missing shards" 2 "$bin" merge "$tmp/partial" "$tmp/shard0" "$tmp/shard2" --quiet
expect_text "and counts the missing runs" "$tmp/err" "are missing"

# interrupted midway by SIGINT, then resumed
"$bin" sweep "$tmp/s.json" --out "$tmp/r" --jobs 1 >"$tmp/r.out" 2>"$tmp/r.err" &
pid=$!
for _ in $(seq 1 20000); do # kill as soon as the first runs are written
    [ -s "$tmp/r/runs.jsonl" ] && break
    sleep 0.001
done
kill -INT $pid
wait $pid
code=$?
lines=$(wc -l <"$tmp/r/runs.jsonl")
[ "$code" = 130 ] && echo "ok   an interrupted sweep exits 130" || { echo "FAIL interrupted sweep exit $code"; fails=$((fails+1)); }
[ "$lines" -lt "$total" ] && [ "$lines" -ge 1 ] && echo "ok   it keeps the $lines finished runs" || { echo "FAIL $lines runs kept"; fails=$((fails+1)); }
expect_text "it says how to continue" "$tmp/r.err" "--resume"
check "--resume runs the rest" 0 "$bin" sweep "$tmp/s.json" --out "$tmp/r" --resume
[ "$(wc -l <"$tmp/r/runs.jsonl")" = "$total" ] && echo "ok   each run once after the resume" || { echo "FAIL $(wc -l <"$tmp/r/runs.jsonl") runs after resume"; fails=$((fails+1)); }
dups=$(grep -o '"point":[0-9]*,"seed":[0-9]*' "$tmp/r/runs.jsonl" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] && echo "ok   no run twice" || { echo "FAIL $dups runs twice"; fails=$((fails+1)); }
same "the resumed sweep has the summary of the uninterrupted one" "$tmp/one/points.csv" "$tmp/r/points.csv"

sed 's/"seeds": 60/"seeds": 60, "seed": 2/' "$tmp/s.json" >"$tmp/s2.json"
check "a changed sweep file refuses to resume" 2 "$bin" sweep "$tmp/s2.json" --out "$tmp/r" --resume
expect_text "and says why" "$tmp/err" "another sweep"
check "a bad shard is refused" 2 "$bin" sweep "$tmp/s.json" --shard 3/3
check "a missing sweep file exits 2" 2 "$bin" sweep "$tmp/nope.json"
printf '{"sweep": {"scenario": "x.json", "params": {"threshold": []}, "mix": []}}\n' >"$tmp/bad.json"
check "a bad sweep file is refused" 2 "$bin" sweep "$tmp/bad.json"
expect_text "with the JSON path of the problem" "$tmp/err" "(\$.sweep.params.threshold)"

if [ "$fails" -gt 0 ]; then echo "$fails sweep checks failed"; exit 1; fi
echo "all sweep checks passed"
