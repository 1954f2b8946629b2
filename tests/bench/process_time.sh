#!/usr/bin/env bash
# Whole-process time of `rollsim run` (start, load, simulate, print, exit), median of N runs.
# usage: tests/bench/process_time.sh [ROLLSIM] [N]
set -eu
bin=${1:-build/rollsim}
n=${2:-51}
src=$(cd "$(dirname "$0")/../.." && pwd)
measure() { # label, args...
    local label=$1
    shift
    local times=()
    for _ in $(seq "$n"); do
        local t0 t1
        t0=$(date +%s%N)
        "$bin" "$@" >/dev/null
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
    done
    local med
    med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %s | %.2f ms |\n' "$label" "$(echo "$med / 1000" | bc -l)"
}
echo "| run | median wall time |"
echo "|---|---|"
measure "rollsim run (built-in seed incident)" run --quiet
measure "rollsim run scenarios/canary-redis.json (flagger.lua)" run "$src/scenarios/canary-redis.json" --quiet
measure "rollsim run scenarios/canary-healthy.json (flagger.lua)" run "$src/scenarios/canary-healthy.json" --quiet
