"""Real app processes and plain HTTP clients for the live-update tests and bench/live_latency.py.

Django's live-server test class cannot stream, so these start uvicorn in subprocesses on the database
the caller names, and talk to them with the standard library only: what a browser would send, with
nothing of Django's test client in between.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UVICORN = str(Path(sys.executable).with_name("uvicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the same PostgreSQL database as this Django connection (the test database)."""
    user = urllib.parse.quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{urllib.parse.quote(password)}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class AppServer:
    """One uvicorn process serving config.asgi on a port of its own."""

    def __init__(self, database_url: str | None, *, workers: int = 1, extra_env: dict | None = None) -> None:
        self.port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "LOG_LEVEL": "WARNING"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env.pop("DATABASE_URL", None)
        env["DB_CONN_MAX_AGE"] = "0"  # Django's advice under ASGI: no persistent connections
        # Rate-limit counters in the test database, never in a Redis that another test run also counts in.
        env.pop("REDIS_URL", None)
        env.update(extra_env or {})
        command = [UVICORN, "config.asgi:application", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
        # Uvicorn waits for open responses before it exits, and a stream stays open: do not wait long.
        command += ["--timeout-graceful-shutdown", "2"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.wait_until_ready()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}:\n{output}")
            try:
                status, _, _ = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"uvicorn on port {self.port} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def request(port: int, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None):
    """(status, headers, body) of one HTTP request to 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


class Browser:
    """Cookies and CSRF the way a browser keeps them, for one user against one app process."""

    def __init__(self, port: int, cookies: dict | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        headers.update(extra or {})
        return headers

    def _keep(self, headers) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str, headers: dict | None = None):
        status, response_headers, body = request(self.port, "GET", path, headers=self._headers(headers))
        self._keep(response_headers)
        return status, response_headers, body

    def post_form(self, page_path: str, action: str, fields: dict) -> int:
        """Load the page that holds the form (for its CSRF token), then post it as a browser would."""
        status, _, body = self.get(page_path)
        assert status == 200, (page_path, status)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        status, response_headers, _ = request(self.port, "POST", action, headers=headers, body=data)
        self._keep(response_headers)
        return status

    def feed(self, slug: str, after: int) -> dict | None:
        """The map's events after `after` through the polling feed; None when not modified."""
        status, _, body = self.get(f"/maps/{slug}/events/?after={after}")
        if status == 304:
            return None
        assert status == 200, status
        return json.loads(body)

    def stream(self, slug: str, *, after: int | None = None, last_event_id: int | None = None) -> "EventStream":
        return EventStream(self.port, slug, self._headers(), after=after, last_event_id=last_event_id)


class EventStream:
    """A server-sent-events connection, read message by message."""

    def __init__(self, port: int, slug: str, headers: dict, *, after=None, last_event_id=None, timeout=10.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        path = f"/maps/{slug}/events/stream/" + (f"?after={after}" if after is not None else "")
        headers = {**headers, "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", path, headers=headers)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.headers.get("Content-Type", "")

    def next_event(self) -> dict:
        """The next message with data (comments and retry lines skipped), as {"id": …, "data": {…}}."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline()
            if not line:
                raise ConnectionError("the stream ended")
            line = line.decode().rstrip("\r\n")
            if line == "":
                if "data" in fields:
                    return {"id": int(fields["id"]), "data": json.loads(fields["data"])}
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")

    def close(self) -> None:
        self.conn.close()
