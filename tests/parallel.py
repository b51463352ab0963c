"""Real parallel clients for race tests: threads with their own database connections, released together."""

import threading

from django.db import connection


def in_parallel(work, count: int) -> list:
    """Run work(i) in `count` threads released together; return each result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # handed to the test: an exception in a thread would vanish silently
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return results
