"""Gunicorn for the pages and the API: `gunicorn -c config/gunicorn.py config.wsgi:application`.

WSGI worker processes with threads, each thread keeping its database connection between requests
(docs/performance.md has the measurements behind this choice). The live SSE stream needs an ASGI
server: run uvicorn beside this one and route `/maps/*/events/stream/` to it (README, "Production").

Environment: PORT (8000), WEB_CONCURRENCY (worker processes: one per core), GUNICORN_THREADS (4),
DB_CONN_MAX_AGE (60 here; seconds a thread keeps its connection).
"""

import os

# Read by config/settings.py when each worker loads the app: persistent connections are safe under
# WSGI, where a connection belongs to one thread that serves one request at a time.
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
# Threads overlap one request's database and network waits with another's Python work.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Pages poll once a second: keep an idle connection open a little longer than that.
keepalive = 5
# A request that takes longer than this has its worker restarted (an upload's ingest stays well under it).
timeout = 60
graceful_timeout = 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
