"""The one timing rule every benchmark here follows: the best of several runs (the least disturbed)."""

import time
from collections.abc import Callable


def best(fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> tuple[float, object]:
    """The shortest of `runs` timed calls of fn() in seconds, and what the last call returned.

    `before`, when given, runs untimed ahead of each call (to clear a cache, say).
    """
    times, result = [], None
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def best_against(
    fn: Callable[[], object],
    baseline: Callable[[], object],
    runs: int,
    before: Callable[[], object] | None = None,
    rounds: int = 5,
) -> tuple[float, float, object]:
    """Best of fn() and best of baseline(), timed in alternating blocks: (fn s, baseline s, fn's last result).

    Each of `rounds` rounds times a block of baseline calls (at least 20) and then a block of fn
    calls, so that a slow spell of a shared machine weighs on both alike, while each block still runs
    its request over and over as a plain best-of-N does (calling the two in strict turns would instead
    measure fn with the baseline's code in the processor's caches).
    """
    per_round = -(-runs // rounds)
    fn_best = baseline_best = float("inf")
    result = None
    for _ in range(rounds):
        baseline_best = min(baseline_best, best(baseline, max(20, per_round))[0])
        seconds, result = best(fn, per_round, before)
        fn_best = min(fn_best, seconds)
    return fn_best, baseline_best, result
