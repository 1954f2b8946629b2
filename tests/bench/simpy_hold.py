#!/usr/bin/env python3
"""The hold model in SimPy 3, for comparison with bench_hold.

N processes each loop forever on `yield env.timeout(random.expovariate(1 / MEAN))` and count their
wake-ups; the pending-event set therefore stays at N, as in bench_hold. One "event" is one wake-up
(one pop and one push of SimPy's event heap). Each repetition simulates until the expected number of
events reaches --events and prints one line:

  hold impl=simpy rep=<r> n=<N> events=<counted> seconds=<s> events_per_sec=<rate>

and the run ends with

  hold impl=simpy median_events_per_sec=<rate> n=<N> events=<target> reps=<R>

Usage: simpy_hold.py [--n 1000] [--events 3000000] [--reps 5] [--seed 12345]
"""
import argparse
import random
import statistics
import sys
import time

try:
    import simpy
except ImportError:  # pragma: no cover - environment problem, not a bench result
    sys.exit("simpy_hold.py: SimPy 3 is not importable by %s (Debian: apt-get install python3-simpy3)"
             % sys.executable)

MEAN_DELAY_MS = 1_000_000.0  # the same mean as bench_hold, in the same unit


def run_once(n, events, seed):
    # Written the way a SimPy user writes it (no local-name tricks): module random, env.timeout.
    random.seed(seed)
    env = simpy.Environment()
    count = [0]

    def holder(env):
        while True:
            yield env.timeout(random.expovariate(1.0 / MEAN_DELAY_MS))
            count[0] += 1

    for _ in range(n):
        env.process(holder(env))
    horizon = events / n * MEAN_DELAY_MS  # n processes, each wakes once per MEAN on average
    t0 = time.perf_counter()
    env.run(until=horizon)
    seconds = time.perf_counter() - t0
    return count[0], seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="pending events (processes)")
    ap.add_argument("--events", type=int, default=3_000_000, help="events per repetition (expected)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions")
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args()
    if args.n <= 0 or args.events <= 0 or args.reps <= 0:
        ap.error("--n, --events and --reps must be positive")

    rates = []
    for r in range(args.reps):
        counted, seconds = run_once(args.n, args.events, args.seed + r)
        rate = counted / seconds
        rates.append(rate)
        print("hold impl=simpy rep=%d n=%d events=%d seconds=%.3f events_per_sec=%.0f"
              % (r + 1, args.n, counted, seconds, rate), flush=True)
    print("hold impl=simpy median_events_per_sec=%.0f n=%d events=%d reps=%d simpy=%s python=%s"
          % (statistics.median(rates), args.n, args.events, args.reps, simpy.__version__,
             "%d.%d.%d" % sys.version_info[:3]))


if __name__ == "__main__":
    main()
