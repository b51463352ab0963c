"""The status page: what a person sees when they follow "Status" in the footer, and the same checks as JSON
for machines (Accept: application/json, or ?format=json). /healthz stays the load balancers' plain probe."""

import tomllib
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers


@memoize
def version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


DATABASE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "name": connection.vendor, "detail": str(error)[:200]}
    return {"ok": True, "name": connection.vendor, "detail": ""}


def check_cache() -> dict:
    """A write and a read back through the default cache (Redis when REDIS_URL is set, else this process's memory)."""
    backend = settings.CACHES["default"]["BACKEND"]
    name = "Redis" if "redis" in backend.lower() else "this process's memory (no Redis configured)"
    key = "warrant-status-probe"
    try:
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
    except Exception as error:  # noqa: BLE001 - any failure of the cache server is what this page reports
        return {"ok": False, "name": name, "detail": str(error)[:200]}
    return {"ok": ok, "name": name, "detail": "" if ok else "A value written to the cache could not be read back."}


def wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@never_cache
@require_GET
@vary_on_headers("Accept")
def status(request):
    database, shared_cache = check_database(), check_cache()
    # Without the database nothing works (503); without the cache pages still work, more slowly ("degraded").
    state = "error" if not database["ok"] else "ok" if shared_cache["ok"] else "degraded"
    code = 503 if state == "error" else 200
    if wants_json(request):
        payload = {
            "status": state,
            "version": version(),
            "database": database,
            "cache": shared_cache,
        }
        return JsonResponse(payload, status=code)
    database["label"] = DATABASE_NAMES.get(database["name"], database["name"])
    context = {"state": state, "database": database, "cache": shared_cache, "version": version()}
    return render(request, "status.html", context, status=code)
