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
