"""Per-user and per-address rate limits, counted so that no burst of parallel requests gets past them.

Scopes (configured in settings.WARRANT_RATE_LIMITS as "count/seconds", or "off"):
- ``write``: every POST, PUT, PATCH or DELETE by a signed-in user, pages and API alike, per user;
- ``login``: sign-in attempts (page and API token) per address and username; ``login_ip``: per address;
- ``signup``: sign-up attempts per address; ``password_reset``: reset requests per address.

This is our own guard, not DRF throttling (which is a politeness measure, not a security control).

**Count first, then decide.** `hit` adds one to the counter and the attempt goes on only if the
value that its own increment returned is within the limit. Because the increment is atomic, N
parallel attempts get N different values and at most `limit` of them go on: N parallel password
guesses can never reach the password check more than `limit` times. (Reading the count, checking the
password and counting the failure afterwards let every guess in flight through while the count still
read low.) Attempts that should not count are given back afterwards with `give_back`: a refused one,
so that only attempts that went on are counted, and a successful sign-in, so that people who type
their password right are never held up. A failed guess is never given back, so the number of wrong
passwords tried per window stays within the limit.

**Where the counters live.** They must be shared by every app process and incremented atomically:
- With a cache named by settings.WARRANT_RATE_LIMIT_CACHE (in production: Django's RedisCache when
  REDIS_URL is set), `add` starts a window's key at 0 with an expiry, then `incr` counts. Redis's
  INCR is atomic, so parallel increments each get their own value. Django's RedisCache.incr first
  asks whether the key exists and would recreate a vanished key without expiry; keys here live a
  whole period past the end of their window, so no live window's key vanishes. Caches whose `incr`
  reads and then writes (Django's DatabaseCache and FileBasedCache) are refused: two parallel
  requests could both read 3 and both write 4.
- Without one (the embedded default, no Redis), in the database table accounts.RateLimitCounter,
  with one statement: INSERT … ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count.
  PostgreSQL guarantees that this either inserts or updates, atomically, even under concurrency (the
  conflicting row is locked and re-read); SQLite runs the statement under the database's write lock.
  So there is no read-then-write, no transaction to manage and one round trip. The same SQL works
  on both (SQLite 3.35 or later, PostgreSQL 9.5 or later). Expired rows are deleted whenever a new
  counter row is created.

Counters are fixed windows: a key per (scope, who, window). A fixed window lets a burst of up to
twice the limit through across a window boundary; that is an accepted trade for one counter per client.
If the counter store fails, the request is let through and the failure logged: a broken store must
not take the site down.
"""

import contextlib
import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, router
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STORE_ERRORS = (DatabaseError, RedisError)

# Tests move this clock forward instead of sleeping through a window.
clock = time.time


@dataclass(frozen=True)
class Rule:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str | None) -> "Rule | None":
        """'120/60' is 120 per minute; 'off' (or empty) switches the scope off."""
        if text is None or str(text).strip().lower() in {"", "off", "0", "none"}:
            return None
        count, _, seconds = str(text).partition("/")
        rule = cls(limit=int(count), period=int(seconds or 60))
        if rule.limit < 1 or rule.period < 1:
            raise ValueError(f"A rate limit needs a positive count and period, not {text!r}.")
        return rule


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the current window ends
    key: str = ""  # the counter this attempt was counted on ("" when nothing was counted)


@dataclass(frozen=True)
class Window:
    key: str
    retry_after: int
    ends: int  # seconds since the epoch


def rule_for(scope: str) -> Rule | None:
    return Rule.parse(getattr(settings, "WARRANT_RATE_LIMITS", {}).get(scope))


def _window(scope: str, who: str, rule: Rule, now: float) -> Window:
    number = int(now // rule.period)
    # Hash who it is: keys stay short and an address or username is never stored as is.
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    ends = (number + 1) * rule.period
    return Window(f"rl:{scope}:{digest}:{number}", max(1, math.ceil(ends - now)), ends)


# ------------------------------------------------------------------------------------------ stores


def _cache():
    """The cache holding the counters, or None for the database table."""
    alias = getattr(settings, "WARRANT_RATE_LIMIT_CACHE", "")
    if not alias:
        return None
    cache = caches[alias]
    if isinstance(cache, (DatabaseCache, FileBasedCache)):
        raise ImproperlyConfigured(
            f"The rate-limit cache {alias!r} cannot count atomically; use Redis (REDIS_URL) or no cache at all "
            "(the counters then live in the database)."
        )
    return cache


def _counter_model():
    from accounts.models import RateLimitCounter

    return RateLimitCounter


def _count_in_cache(cache, window: Window, period: int) -> int:
    # Expire a whole period after the window ends, so that a live window's key never vanishes.
    timeout = window.retry_after + period
    for _ in range(2):
        cache.add(window.key, 0, timeout=timeout)
        try:
            return cache.incr(window.key)
        except ValueError:  # evicted between add() and incr() (a full cache): start it again
            continue
    raise RuntimeError(f"The rate-limit cache keeps losing {window.key}.")


def _count_in_database(window: Window, now: float) -> int:
    model = _counter_model()
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, key, count, expires = (quote(name) for name in (model._meta.db_table, "key", "count", "expires"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [window.key, window.ends],
        )
        value = cursor.fetchone()[0]
    if value == 1:  # a new counter: a good moment to drop the ones whose windows are over
        model.objects.filter(expires__lte=int(now)).delete()
    return value


# ------------------------------------------------------------------------------------- counting


def hit(scope: str, who: str) -> Verdict:
    """Count one attempt; allowed only if this count is within the limit (see the module docstring)."""
    rule = rule_for(scope)
    if rule is None:
        return Verdict(True)
    now = clock()
    window = _window(scope, who, rule, now)
    try:
        cache = _cache()
        count = _count_in_cache(cache, window, rule.period) if cache is not None else _count_in_database(window, now)
    except STORE_ERRORS:
        # Without its store the limiter cannot count; refusing everyone would take the site down with it.
        logger.exception("Rate limit storage unavailable; %s not limited.", scope)
        return Verdict(True)
    return Verdict(count <= rule.limit, window.retry_after, window.key)


def give_back(verdicts: list[Verdict]) -> None:
    """Take back the counts of these attempts (a refused attempt, a successful sign-in)."""
    keys = [verdict.key for verdict in verdicts if verdict.key]
    if not keys:
        return
    try:
        cache = _cache()
        for key in keys:
            if cache is None:
                _counter_model().objects.filter(key=key, count__gt=0).update(count=F("count") - 1)
            else:
                with contextlib.suppress(ValueError):  # already expired: nothing to give back
                    cache.decr(key)
    except STORE_ERRORS:
        logger.exception("Rate limit storage unavailable; a count was not given back.")


def count_attempt(request: HttpRequest, attempts: list[tuple[str, str]]) -> tuple[list[Verdict], HttpResponse | None]:
    """Count one attempt under each (scope, who), in order: the counts taken, or a 429 if any is over.

    A refused attempt gives back what it counted, so that only attempts that went on are counted.
    """
    counted: list[Verdict] = []
    for scope, who in attempts:
        verdict = hit(scope, who)
        counted.append(verdict)
        if not verdict.allowed:
            give_back(counted)
            return [], too_many_requests(request, scope, verdict)
    return counted, None


def sign_in_attempts(request: HttpRequest, username: object) -> list[tuple[str, str]]:
    """A sign-in's counters: per address and username (guessing one account's password) first, then
    per address (trying many accounts). One account's lock-out then stops before the address's count."""
    address = client_address(request)
    name = str(username or "").strip().lower()[:150]
    return [("login", f"{address}|{name}"), ("login_ip", address)]


def reset() -> None:
    """Forget every counter (tests call this between tests; on a cache it clears the whole cache)."""
    cache = _cache()
    if cache is None:
        _counter_model().objects.all().delete()
    else:
        cache.clear()


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind a proxy set WARRANT_RATE_LIMIT_PROXIES to how many add X-Forwarded-For."""
    proxies = int(getattr(settings, "WARRANT_RATE_LIMIT_PROXIES", 0))
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        # Each trusted proxy appends the address it saw; entries further left can be forged by the client.
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


# ------------------------------------------------------------------------------------- answering

MESSAGES = {
    "write": "You are making changes faster than Warrant allows",
    "login": "Too many failed sign-in attempts",
    "login_ip": "Too many failed sign-in attempts from your network",
    "signup": "Too many sign-up attempts from your network",
    "password_reset": "Too many password reset requests from your network",
}


def too_many_requests(request: HttpRequest, scope: str, verdict: Verdict) -> HttpResponse:
    """429 with Retry-After: a JSON body for the API, a page (or htmx fragment) for everyone else."""
    wait = verdict.retry_after
    what = MESSAGES.get(scope, "Too many requests")
    detail = f"{what}. Please wait {wait} second{'s' if wait != 1 else ''} and try again; nothing was saved."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "retry_after": wait}, status=429)
    else:
        html = render_to_string("429.html", {"detail": detail, "retry_after": wait}, request=request)
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(wait)
    return response


def _api_token_user_id(request: HttpRequest) -> int | None:
    """Scripts authenticate per request with a token, after middleware has run; look it up here."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "token" or not key.strip():
        return None
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(key=key.strip()).values_list("user_id", flat=True).first()


class WriteRateLimitMiddleware:
    """Limits every state-changing request of a signed-in user (session or API token)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Logging out is always possible, even for someone who has used up their writes.
        if request.method in WRITE_METHODS and request.path_info != reverse("logout"):
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            if user_id is None and request.path.startswith("/api/"):
                user_id = _api_token_user_id(request)
            if user_id is not None:
                verdict = hit("write", f"user:{user_id}")
                if not verdict.allowed:
                    return too_many_requests(request, "write", verdict)
        return self.get_response(request)
