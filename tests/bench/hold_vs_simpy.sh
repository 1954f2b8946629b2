#!/usr/bin/env bash
# The hold model, rollsim's event queue (bench_hold) against SimPy 3 (simpy_hold.py), side by side.
# Builds nothing. The per-repetition lines go to stderr; the Markdown table goes to stdout.
#
# Usage: tests/bench/hold_vs_simpy.sh [path/to/bench_hold]      (default: build/tests/bench/bench_hold)
# Environment (defaults): HOLD_N=1000 pending events, HOLD_EVENTS=50000000 and HOLD_REPS=7 for rollsim,
#   SIMPY_EVENTS=3000000 and SIMPY_REPS=5 for SimPy, PYTHON=a python3 that can `import simpy`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bench=${1:-$root/build/tests/bench/bench_hold}
n=${HOLD_N:-1000}
events=${HOLD_EVENTS:-50000000}
reps=${HOLD_REPS:-7}
simpy_events=${SIMPY_EVENTS:-3000000}
simpy_reps=${SIMPY_REPS:-5}

if [[ ! -x $bench ]]; then
    echo "hold_vs_simpy.sh: no bench_hold at $bench (build it: cmake --build <dir> --target bench_hold)" >&2
    exit 2
fi

# A python3 that has SimPy: $PYTHON, else python3 on PATH, else the system one (Debian's python3-simpy3).
python=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import simpy' >/dev/null 2>&1; then
        python=$p
        break
    fi
done
if [[ -z $python ]]; then
    echo "hold_vs_simpy.sh: no python3 can import simpy (Debian: apt-get install python3-simpy3)" >&2
    exit 2
fi

# median_events_per_sec=<x> from the last line of a run
median_of() { sed -n 's/.*median_events_per_sec=\([0-9]*\).*/\1/p' <<<"$1" | tail -n 1; }

rollsim_out=$("$bench" "$n" "$events" "$reps")
echo "$rollsim_out" >&2
simpy_out=$("$python" "$here/simpy_hold.py" --n "$n" --events "$simpy_events" --reps "$simpy_reps")
echo "$simpy_out" >&2

rollsim_rate=$(median_of "$rollsim_out")
simpy_rate=$(median_of "$simpy_out")
versions=$(sed -n 's/.* simpy=\([^ ]*\) python=\([^ ]*\).*/\1, Python \2/p' <<<"$simpy_out")
if [[ -z $rollsim_rate || -z $simpy_rate || $simpy_rate -eq 0 ]]; then
    echo "hold_vs_simpy.sh: could not read the medians" >&2
    exit 3
fi

awk -v r="$rollsim_rate" -v s="$simpy_rate" -v n="$n" -v v="$versions" 'BEGIN {
    printf "| engine | events/s (median) | ratio to SimPy |\n"
    printf "|---|---:|---:|\n"
    printf "| rollsim (C, rs_queue) | %.1f M | %.1f× |\n", r / 1e6, r / s
    printf "| SimPy %s | %.2f M | 1.0× |\n", v, s / 1e6
    printf "\nHold model, %d pending events, exponential delays (mean 1,000,000 ms); medians of the repetitions.\n", n
}'
