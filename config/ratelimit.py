"""Per-user and per-address rate limits, kept in a shared cache so they hold across app processes.

Scopes (configured in settings.WARRANT_RATE_LIMITS as "count/seconds", or "off"):
- ``write``: every POST, PUT, PATCH or DELETE by a signed-in user, pages and API alike, per user;
- ``login``: failed sign-ins per address and username; ``login_ip``: failed sign-ins per address;
- ``signup``: sign-up attempts per address; ``password_reset``: reset requests per address.

This is our own guard, not DRF throttling (which is a politeness measure, not a security control).
Counters are fixed windows: a key per (scope, who, window) in the cache named by
settings.WARRANT_RATE_LIMIT_CACHE, a DatabaseCache by default, so every process behind a load
balancer counts in the same table. A fixed window lets a burst of up to twice the limit through
across a window boundary; that is an accepted trade for one cache key per client.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

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


def rule_for(scope: str) -> Rule | None:
    return Rule.parse(getattr(settings, "WARRANT_RATE_LIMITS", {}).get(scope))


def _cache():
    return caches[getattr(settings, "WARRANT_RATE_LIMIT_CACHE", "default")]


def _key(scope: str, who: str, rule: Rule, now: float) -> tuple[str, int]:
    window = int(now // rule.period)
    # Hash who it is: keys stay short and an address or username never lands in the cache table as is.
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    retry_after = max(1, math.ceil((window + 1) * rule.period - now))
    return f"rl:{scope}:{digest}:{window}", retry_after


def hit(scope: str, who: str) -> Verdict:
    """Count one attempt; refused once the window already holds `limit` of them."""
    rule = rule_for(scope)
    if rule is None:
        return Verdict(True)
    key, retry_after = _key(scope, who, rule, clock())
    try:
        cache = _cache()
        # add() is a no-op when the key exists, so the first request of a window starts it at 0.
        cache.add(key, 0, timeout=rule.period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add() and incr(): a fresh window
            cache.set(key, 1, timeout=rule.period + 1)
            count = 1
    except DatabaseError:
        # A missing cache table (createcachetable not run) must not take the site down: let it
        # through and say so loudly in the log.
        logger.exception("Rate limit storage unavailable; %s not limited.", scope)
        return Verdict(True)
    return Verdict(count <= rule.limit, retry_after)


def peek(scope: str, who: str) -> Verdict:
    """Is `who` already over the limit? Counts nothing (used before checking a password)."""
    rule = rule_for(scope)
    if rule is None:
        return Verdict(True)
    key, retry_after = _key(scope, who, rule, clock())
    try:
        count = _cache().get(key, 0)
    except DatabaseError:
        logger.exception("Rate limit storage unavailable; %s not limited.", scope)
        return Verdict(True)
    return Verdict(count < rule.limit, retry_after)


def reset() -> None:
    """Forget every counter (tests call this between tests)."""
    _cache().clear()


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind a proxy set WARRANT_RATE_LIMIT_PROXIES to how many add X-Forwarded-For."""
    proxies = int(getattr(settings, "WARRANT_RATE_LIMIT_PROXIES", 0))
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        # Each trusted proxy appends the address it saw; entries further left can be forged by the client.
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
