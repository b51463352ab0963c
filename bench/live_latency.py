"""How long a committed change takes to reach another person's client: median and 95th percentile.

A writer posts "respond to this claim" forms through one app process, as a browser would; the clock
starts when the POST has been answered (the change is committed by then) and stops when a client of
the map has the event. Writes come at random intervals of 0.2–0.8 s, so they land at any point of a
polling cycle. Scenarios:

- SQLite, one uvicorn process: the client polls the feed every second, like static/js/live.js;
- PostgreSQL, two uvicorn processes: the writer uses the first, and two clients of the second follow
  the map, one through the SSE stream (woken by LISTEN/NOTIFY) and one by polling.

Latency is printed in milliseconds and as a ratio to a trivial request (GET /healthz) timed in the
same run, since these machines are noisy.

Run: .venv/bin/python bench/live_latency.py [--writes 30] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
     (without --postgres, the PostgreSQL scenario uses $DATABASE_URL's server, or is skipped)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_support import AppServer, Browser, request  # noqa: E402 - the path must be set first

PYTHON = sys.executable
PASSWORD = "bench-live-password"
POLL_SECONDS = 1.0  # static/js/live.js polls this often
PROBE = re.compile(r"Latency probe (\d+)")

SETUP = f"""
from django.contrib.auth import get_user_model
from arguments import services
from arguments.models import ClaimKind, Role
User = get_user_model()
writer = User.objects.create_user("bench-writer", password={PASSWORD!r})
reader = User.objects.create_user("bench-reader", password={PASSWORD!r})
m = services.create_map(owner=writer, title="Latency bench", question="How fast is live?")
services.add_member(argument_map=m, user=reader, role=Role.VIEWER, actor=writer)
thesis = services.create_claim(argument_map=m, actor=writer, text="The thesis.", kind=ClaimKind.THESIS)
print(m.slug, thesis.pk)
"""


def prepare(env: dict) -> tuple[str, int]:
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], **run)
    subprocess.run([PYTHON, "manage.py", "createcachetable"], **run)
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", SETUP], **run).stdout.split()
    return out[-2], int(out[-1])


def log_in(port: int, username: str) -> Browser:
    browser = Browser(port)
    status = browser.post_form("/accounts/login/", "/accounts/login/", {"username": username, "password": PASSWORD})
    assert status == 302, f"login of {username} answered {status}"
    return browser


class PollingClient(threading.Thread):
    """Asks the feed for what is new every POLL_SECONDS, as the page's script does."""

    def __init__(self, browser: Browser, slug: str, after: int, seen: dict) -> None:
        super().__init__(daemon=True)
        self.browser, self.slug, self.after, self.seen = browser, slug, after, seen
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            data = self.browser.feed(self.slug, self.after)
            now = time.perf_counter()
            if data:
                for event in data["events"]:
                    found = PROBE.search(event["text"])
                    if found and event["object_type"] == "claim":
                        self.seen.setdefault(int(found.group(1)), now)
                self.after = data["last_id"]
                if data["more"]:
                    continue
            self.stopping.wait(POLL_SECONDS)


class StreamClient(threading.Thread):
    def __init__(self, browser: Browser, slug: str, after: int, seen: dict) -> None:
        super().__init__(daemon=True)
        self.stream = browser.stream(slug, after=after)
        assert self.stream.status == 200, f"the stream answered {self.stream.status}"
        self.seen = seen

    def run(self) -> None:
        try:
            while True:
                event = self.stream.next_event()
                now = time.perf_counter()
                found = PROBE.search(event["data"]["text"])
                if found and event["data"]["object_type"] == "claim":
                    self.seen.setdefault(int(found.group(1)), now)
        except (OSError, ConnectionError, ValueError):
            return  # closed at the end of the run


def trivial_ms(port: int, n: int = 50) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        request(port, "GET", "/healthz")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def newest(browser: Browser, slug: str) -> int:
    _, _, body = browser.get(f"/maps/{slug}/events/")
    return int(re.search(rb'"last_id": (\d+)', body).group(1))


def write_probes(writer: Browser, slug: str, thesis: int, writes: int) -> dict[int, float]:
    committed = {}
    rng = random.Random(5)
    for i in range(writes):
        time.sleep(rng.uniform(0.2, 0.8))
        status = writer.post_form(
            f"/maps/{slug}/",
            f"/maps/{slug}/claims/{thesis}/respond/",
            {"text": f"Latency probe {i}", "kind": "opposes"},
        )
        assert status == 302, status
        committed[i] = time.perf_counter()
    time.sleep(POLL_SECONDS * 2)  # let the last ones arrive
    return committed


def report(label: str, committed: dict[int, float], seen: dict[int, float], baseline_ms: float) -> None:
    missing = sorted(set(committed) - set(seen))
    latencies = sorted((seen[i] - committed[i]) * 1000 for i in committed if i in seen)
    if not latencies:
        print(f"  {label:<38} nothing arrived")
        return
    median = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    print(
        f"  {label:<38} median {median:7.1f} ms ({median / baseline_ms:6.1f}x)   "
        f"p95 {p95:7.1f} ms ({p95 / baseline_ms:6.1f}x)   max {latencies[-1]:7.1f} ms"
        + (f"   MISSING {missing}" if missing else f"   {len(latencies)}/{len(committed)} arrived")
    )


def sqlite_scenario(writes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SQLITE_PATH": str(Path(folder) / "bench.sqlite3")}
        env.pop("DATABASE_URL", None)
        slug, thesis = prepare(env)
        server = AppServer(None, extra_env={"SQLITE_PATH": env["SQLITE_PATH"]})
        try:
            writer, reader = log_in(server.port, "bench-writer"), log_in(server.port, "bench-reader")
            status, _, _ = reader.get(f"/maps/{slug}/events/stream/?after=0")
            assert status == 204, "on SQLite the stream should send the page to polling"
            baseline = trivial_ms(server.port)
            seen: dict[int, float] = {}
            poller = PollingClient(reader, slug, newest(reader, slug), seen)
            poller.start()
            committed = write_probes(writer, slug, thesis, writes)
            poller.stopping.set()
            print(f"SQLite, one uvicorn process ({writes} writes; trivial request {baseline:.2f} ms)")
            report("polling every 1 s", committed, seen, baseline)
        finally:
            server.stop()


def postgres_scenario(admin_url: str, writes: int) -> None:
    import psycopg

    name = "warrant_live_bench"
    parts = urllib.parse.urlsplit(admin_url)
    bench_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    servers = []
    try:
        slug, thesis = prepare({**os.environ, "DATABASE_URL": bench_url})
        servers = [AppServer(bench_url), AppServer(bench_url)]
        first, second = servers
        writer = log_in(first.port, "bench-writer")
        reader = log_in(second.port, "bench-reader")
        baseline = trivial_ms(second.port)
        after = newest(reader, slug)
        by_stream: dict[int, float] = {}
        by_polling: dict[int, float] = {}
        streamer = StreamClient(reader, slug, after, by_stream)
        poller = PollingClient(reader, slug, after, by_polling)
        streamer.start()
        poller.start()
        committed = write_probes(writer, slug, thesis, writes)
        poller.stopping.set()
        streamer.stream.close()
        print(f"PostgreSQL, two uvicorn processes ({writes} writes; trivial request {baseline:.2f} ms)")
        report("SSE stream (LISTEN/NOTIFY)", committed, by_stream, baseline)
        report("polling every 1 s", committed, by_polling, baseline)
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--postgres", help="URL of a PostgreSQL server's maintenance database (CREATEDB needed)")
    args = parser.parse_args()
    sqlite_scenario(args.writes)
    admin_url = args.postgres
    if not admin_url and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        admin_url = urllib.parse.urlunsplit(
            urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres")
        )
    if admin_url:
        postgres_scenario(admin_url, args.writes)
    else:
        print("PostgreSQL: skipped (give --postgres or set DATABASE_URL)")


if __name__ == "__main__":
    main()
