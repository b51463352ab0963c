"""A seminar on the demo map: many people at once against a production setup on PostgreSQL.

(Over 400 lines on purpose: one script that sets up, runs and reports a whole seminar, read top to bottom.)

Of every 60 people, 45 read with live updates, 12 annotate and 3 edit; everyone has a map page open
(the outline or a source in the reader) and follows the map as static/js/live.js does: the events feed
once a second with `?after=` and `If-None-Match` (or, where the setup streams, a third of the readers
through the SSE stream), and the page fetched again when someone else changed something. Annotators
quote a passage of a source as evidence through the API about every 20 s each; editors change a
claim's text through the API with `If-Match` about every 20 s each (a 412, someone else's edit in
between, is read again and retried, and is not an error).

The script creates a throwaway database, loads the demo, starts the setup's server processes on free
ports with DEBUG off (the SSE stream routed to its own server, as the proxy would), runs for a
bounded time and prints p50/p95/p99 per kind of request, errors and throughput, each latency also as
a ratio to the trivial request (GET /healthz) timed in the same run, since these machines are noisy.
`--search` then looks for the largest seminar whose pages and polls stay at p95 <= 250 ms, without errors.

Setups (see docs/performance.md):
- production: gunicorn (config/gunicorn.py, WSGI with threads) for pages and API, uvicorn beside it
  for the stream only;
- uvicorn: `uvicorn config.asgi:application --workers 2`, one server for everything.

Run: .venv/bin/python bench/seminar.py [--setup production|uvicorn] [--people 60] [--seconds 60]
     [--search] [--postgres postgres://warrant:warrant@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/11]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_support import free_port  # noqa: E402 - the path must be set first

BIN = Path(sys.executable).parent
PYTHON = sys.executable
DATABASE = "warrant_seminar_bench"
SLUG = "coalitions-of-the-willing"  # the demo map
POLL_SECONDS = 1.0  # static/js/live.js polls this often
WRITE_SECONDS = 20.0  # each annotator and editor writes about this often
AIM_MS = 250.0  # the --search bound on every kind's p95
LAST_EVENT = re.compile(rb'data-last-event="(\d*)"')

# Each setup: the commands of its processes, given (port, stream port); the first serves everything
# but the stream, which goes to the port the setup names (a proxy routes /maps/*/events/stream/ there).
SETUPS = {
    "production": lambda port, stream: (
        [
            (
                {},
                [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"]
                + ["--bind", f"127.0.0.1:{port}"],
            ),
            (
                {"DB_CONN_MAX_AGE": "0"},
                [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(stream)]
                + ["--timeout-graceful-shutdown", "2", "--no-access-log"],
            ),
        ],
        stream,
    ),
    "uvicorn": lambda port, stream: (
        [
            (
                {"DB_CONN_MAX_AGE": "0"},
                [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
                + ["--workers", "2", "--timeout-graceful-shutdown", "2", "--no-access-log"],
            )
        ],
        port,
    ),
}

SETUP_SCRIPT = """
import json, sys
from django.contrib.auth import get_user_model
from django.test import Client
from arguments import services
from arguments.models import ArgumentMap, Role
User = get_user_model()
m = ArgumentMap.objects.get(slug=SLUG)
owner = User.objects.get(username="demo-owner")
people = []
for i, role in enumerate(ROLES):
    user = User.objects.create_user(f"seminar-{i}", password=None)  # no password: signed in below
    services.add_member(argument_map=m, user=user, role=role, actor=owner)
    client = Client()
    client.force_login(user)
    people.append({"username": user.username, "role": role, "session": client.cookies["sessionid"].value})
sources = [{"slug": s.slug, "text": s.text} for s in m.sources.all()]
claims = list(m.claims.values_list("pk", flat=True))
print(json.dumps({"people": people, "sources": sources, "claims": claims}))
"""


def roles_for(people: int) -> list[str]:
    """45 readers, 12 annotators and 3 editors in every 60, at least one writer of each kind."""
    editors = max(1, round(people * 3 / 60))
    annotators = max(1, round(people * 12 / 60))
    return ["editor"] * editors + ["annotator"] * annotators + ["viewer"] * max(0, people - editors - annotators)


def server_env(database_url: str, redis_url: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        REDIS_URL=redis_url,
        LOG_LEVEL="WARNING",
    )
    for name in ("DB_CONN_MAX_AGE", "PORT", "WEB_CONCURRENCY", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def prepare(admin_url: str, redis_url: str, people: int) -> tuple[dict, dict]:
    """A fresh database with the demo map and `people` signed-in members; the env the servers run with."""
    import psycopg
    import redis

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    redis.Redis.from_url(redis_url).flushdb()  # cached layers and sessions of an earlier run's database
    parts = urllib.parse.urlsplit(admin_url)
    env = server_env(urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE}")), redis_url)
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], **run)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], **run)  # DEBUG off needs it
    subprocess.run([PYTHON, "manage.py", "demo", "--force", "--password", secrets.token_urlsafe(12)], **run)
    script = f"SLUG = {SLUG!r}\nROLES = {roles_for(people)!r}\n" + SETUP_SCRIPT
    out = subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", script], **run).stdout
    return json.loads(out.strip().splitlines()[-1]), env


class Servers:
    """The setup's processes on free ports, stopped together."""

    def __init__(self, setup: str, env: dict) -> None:
        self.port = free_port()
        commands, self.stream_port = SETUPS[setup](self.port, free_port())
        self.processes = []
        for extra, command in commands:
            log = open(os.devnull, "wb")  # noqa: SIM115 - lives as long as the process
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env={**env, **extra}, stdout=log, stderr=log))
        for port in {self.port, self.stream_port}:
            self.wait(port)

    def wait(self, port: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError("a server process exited while starting")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"nothing answered on port {port} within {timeout} s")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Results:
    """Latencies (ms) and errors per kind of request, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, str] = {}
        self.conflicts = 0
        self.stream_events = 0

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.times[kind].append(ms)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            self.samples.setdefault(kind, what)


class Connection:
    """One keep-alive connection, as a browser holds one; reopened (and the request retried) when stale."""

    def __init__(self, port: int, cookies: str, csrf: str) -> None:
        self.port, self.connection = port, None
        self.headers = {"Cookie": cookies, "X-CSRFToken": csrf}

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
                response = self.connection.getresponse()
                return response.status, response.headers, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle connection: a browser reconnects and resends
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Person(threading.Thread):
    def __init__(self, index: int, who: dict, world: dict, servers: Servers, results: Results, until: float) -> None:
        super().__init__(daemon=True)
        self.who, self.world, self.results, self.until = who, world, results, until
        self.rng = random.Random(index)
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, as the cookie holds it
        self.cookies = f"sessionid={who['session']}; csrftoken={csrf}"
        self.web = Connection(servers.port, self.cookies, csrf)
        self.stream_port = servers.stream_port
        # A quarter of the people read a source in the reader; the others the outline.
        if index % 4 == 0:
            self.page = f"/maps/{SLUG}/sources/{world['sources'][index % len(world['sources'])]['slug']}/"
            self.page_kind = "reader page"
        else:
            self.page, self.page_kind = f"/maps/{SLUG}/", "map page"
        self.wants_stream = who["role"] == "viewer" and index % 3 == 0
        self.changed = threading.Event()
        self.after, self.etag = 0, None

    def timed(self, kind: str, method: str, path: str, ok: tuple, **kwargs):
        start = time.perf_counter()
        try:
            status, headers, body = self.web.request(method, path, **kwargs)
        except OSError as error:
            self.results.error(kind, f"{type(error).__name__}: {error}")
            return None, None, None
        self.results.add(kind, (time.perf_counter() - start) * 1000)
        if status not in ok:
            self.results.error(kind, f"{method} {path} answered {status}: {body[:200]!r}")
        return status, headers, body

    def load_page(self) -> None:
        status, _, body = self.timed(self.page_kind, "GET", self.page, (200,))
        if status == 200 and (found := LAST_EVENT.search(body)) and found.group(1):
            self.after = max(self.after, int(found.group(1)))

    def poll(self) -> None:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        path = f"/maps/{SLUG}/events/?after={self.after}"
        status, response_headers, body = self.timed("poll", "GET", path, (200, 304), headers=headers)
        if status != 200:
            return
        data = json.loads(body)
        self.etag = response_headers.get("ETag")
        self.after = data["last_id"]
        if any(event["actor"] != self.who["username"] for event in data["events"]):
            self.changed.set()
        if data["more"]:
            self.poll()

    def follow_stream(self) -> bool:
        """Open the SSE stream in a thread of its own; False when the server says to poll (204)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.stream_port, timeout=30)
        path = f"/maps/{SLUG}/events/stream/?after={self.after}"
        start = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": self.cookies, "Accept": "text/event-stream"})
        response = connection.getresponse()
        self.results.add("stream open", (time.perf_counter() - start) * 1000)
        if response.status != 200:
            connection.close()
            return False

        def read() -> None:
            try:
                while time.monotonic() < self.until:
                    line = response.readline()
                    if not line:
                        return
                    if line.startswith(b"data:"):
                        event = json.loads(line[5:])
                        with self.results.lock:
                            self.results.stream_events += 1
                        if event["actor"] != self.who["username"]:
                            self.changed.set()
            except (OSError, ValueError, AttributeError):  # AttributeError: http.client, closed under it
                return

        self.stream_connection = connection
        threading.Thread(target=read, daemon=True).start()
        return True

    def write(self) -> None:
        if self.who["role"] == "annotator":
            source = self.rng.choice(self.world["sources"])
            start = self.rng.randrange(0, max(1, len(source["text"]) - 200))
            end = start + self.rng.randint(40, 160)
            text = source["text"]
            while start < end and text[start].isspace():  # a selection is of words, not of the space around them
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            body = {
                "claim": self.rng.choice(self.world["claims"]),
                "stance": self.rng.choice(["supports", "opposes"]),
                "source": source["slug"],
                "exact": text[start:end],
                "start": start,
                "end": end,
                "note": "Seminar note.",
            }
            self.timed(
                "annotate (API)",
                "POST",
                f"/api/v1/maps/{SLUG}/evidence/",
                (200, 201),
                headers={"Content-Type": "application/json"},
                body=json.dumps(body).encode(),
            )
        elif self.who["role"] == "editor":
            claim = self.rng.choice(self.world["claims"])
            path = f"/api/v1/maps/{SLUG}/claims/{claim}/"
            for _ in range(3):
                status, headers, _ = self.timed("edit claim: read", "GET", path, (200,))
                if status != 200:
                    return
                text = f"Claim edited in the seminar by {self.who['username']} ({self.rng.randrange(10**6)})."
                status, _, _ = self.timed(
                    "edit claim: PATCH",
                    "PATCH",
                    path,
                    (200, 412),
                    headers={"Content-Type": "application/json", "If-Match": headers["ETag"]},
                    body=json.dumps({"text": text}).encode(),
                )
                if status != 412:
                    return
                with self.results.lock:
                    self.results.conflicts += 1

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, 3))  # people arrive over a few seconds
        self.load_page()
        streaming = self.wants_stream and self.follow_stream()
        next_write = time.monotonic() + self.rng.uniform(0, WRITE_SECONDS)
        try:
            while (now := time.monotonic()) < self.until:
                if self.who["role"] != "viewer" and now >= next_write:
                    self.write()
                    next_write += self.rng.uniform(0.75, 1.25) * WRITE_SECONDS
                if not streaming:
                    self.poll()
                if self.changed.is_set():
                    self.changed.clear()
                    self.load_page()
                if streaming:
                    self.changed.wait(min(POLL_SECONDS, max(0.0, self.until - time.monotonic())))
                else:
                    time.sleep(min(POLL_SECONDS, max(0.0, self.until - time.monotonic())))
        finally:
            self.web.close()
            if streaming:
                with contextlib.suppress(OSError):  # wakes the thread that reads the stream
                    self.stream_connection.sock.shutdown(socket.SHUT_RDWR)
                self.stream_connection.close()


def trivial(port: int, results: Results, until: float) -> None:
    """GET /healthz twice a second through the run: what the machine gives a request that does nothing."""
    connection = Connection(port, "", "")
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            status, _, _ = connection.request("GET", "/healthz")
            results.add("trivial (/healthz)", (time.perf_counter() - start) * 1000)
            if status != 200:
                results.error("trivial (/healthz)", f"answered {status}")
        except OSError as error:
            results.error("trivial (/healthz)", str(error))
        time.sleep(0.5)
    connection.close()


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def seminar(servers: Servers, world: dict, people: int, seconds: float) -> Results:
    results = Results()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=trivial, args=(servers.port, results, until), daemon=True)]
    chosen = []  # the same mix of roles at every size, out of the people prepared for the largest
    for role in ("editor", "annotator", "viewer"):
        wanted = roles_for(people).count(role)
        chosen += [who for who in world["people"] if who["role"] == role][:wanted]
    threads += [Person(i, who, world, servers, results, until) for i, who in enumerate(chosen)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, until - time.monotonic()) + 35)
    return results


READS = ("map page", "reader page", "poll")  # what --search holds to its bound; writes are too few for a p95


def worst_p95(results: Results) -> float:
    return max(percentile(sorted(results.times[kind]), 95) for kind in READS if results.times.get(kind))


def report(label: str, results: Results, seconds: float) -> None:
    trivial_ms = sorted(results.times.get("trivial (/healthz)", [float("nan")]))
    base = percentile(trivial_ms, 50)
    print(f"\n{label}: {seconds:.0f} s; trivial request p50 {base:.1f} ms (ratios below are to it)")
    print(f"  {'request':<22} {'count':>6} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   p95 ratio  errors")
    total = 0
    for kind in sorted(results.times):
        ms = sorted(results.times[kind])
        total += len(ms)
        p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
        print(
            f"  {kind:<22} {len(ms):>6} {len(ms) / seconds:>6.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
            f"   {p95 / base:>8.0f}x  {results.errors.get(kind, 0)}"
        )
    errors = sum(results.errors.values())
    print(
        f"  all: {total} requests, {total / seconds:.1f}/s; {errors} errors; {results.conflicts} edit conflicts "
        f"(412, retried); {results.stream_events} events pushed through streams"
    )
    for kind, sample in results.samples.items():
        print(f"  first error in {kind}: {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", choices=sorted(SETUPS), default="production")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--search", action="store_true", help=f"then find the largest seminar at p95 <= {AIM_MS} ms")
    parser.add_argument("--search-seconds", type=float, default=30.0)
    parser.add_argument("--most", type=int, default=480, help="the largest seminar --search tries")
    parser.add_argument("--postgres", default="", help="a database URL on the server to use (default: $DATABASE_URL)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11", help="a Redis database the script may empty")
    args = parser.parse_args()
    admin_url = args.postgres or os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith("postgres"):
        sys.exit("Name a PostgreSQL server: --postgres postgres://user:password@127.0.0.1:5432/postgres")
    world, env = prepare(admin_url, args.redis, max(args.people, args.most if args.search else 0))
    servers = Servers(args.setup, env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # stop the servers on the way out
    try:
        results = seminar(servers, world, args.people, args.seconds)
        report(f"{args.setup}, {args.people} people", results, args.seconds)
        if args.search:
            search(servers, world, args)
    finally:
        servers.stop()


def search(servers: Servers, world: dict, args) -> None:
    """Double the seminar until a kind's p95 passes AIM_MS (or an error appears), then halve the gap."""

    def holds(people: int) -> bool:
        results = seminar(servers, world, people, args.search_seconds)
        p95 = worst_p95(results)
        errors = sum(results.errors.values())
        good = p95 <= AIM_MS and errors == 0
        trivial_p95 = percentile(sorted(results.times["trivial (/healthz)"]), 95)
        print(
            f"  search: {people} people, worst p95 of pages and polls {p95:.0f} ms (trivial request's p95 "
            f"{trivial_p95:.0f} ms), {errors} errors: {'holds' if good else 'too many'}"
        )
        return good

    print(f"\nSearching for the largest seminar at p95 <= {AIM_MS:.0f} ms ({args.search_seconds:.0f} s a try):")
    low, high = 0, None
    people = args.people
    while people <= args.most:
        if not holds(people):
            high = people
            break
        low, people = people, people * 2
    if high is None:
        print(f"  holds at {low} people, the most tried (--most)")
        return
    while high - low > max(5, low // 8):
        middle = (low + high) // 2
        if holds(middle):
            low = middle
        else:
            high = middle
    print(f"  largest seminar held: {low} people (fails at {high})")


if __name__ == "__main__":
    main()
