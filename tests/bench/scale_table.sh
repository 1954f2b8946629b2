#!/usr/bin/env bash
# The cost of a run against pods, simulated days and request rate (flat in the request rate).
# usage: tests/bench/scale_table.sh [BENCH_SCALE] [REPEATS]
set -eu
bin=${1:-build/tests/bench/bench_scale}
rep=${2:-3}
echo "| pods | simulated days | requests/s | median wall time | peak memory |"
echo "|---:|---:|---:|---:|---:|"
for pods in 100 1000 10000; do
    for days in 1 7; do
        for rps in 1000 1000000; do
            line=$("$bin" "$pods" "$days" "$rps" "$rep")
            med=$(sed -E 's/.*median_s=([0-9.]+).*/\1/' <<<"$line")
            rss=$(sed -E 's/.*maxrss_mib=([0-9.]+).*/\1/' <<<"$line")
            printf '| %s | %s | %s | %s s | %s MiB |\n' "$pods" "$days" "$rps" "$med" "$rss"
        done
    done
done
