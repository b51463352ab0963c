"""Shared fixtures: the personas every access test walks through."""

import os
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.core.cache import cache
from django.test import override_settings

from arguments import services
from arguments.models import Visibility
from config import ratelimit

from .factories import make_map, make_source, make_user


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Real password hashing would dominate the suite's run time; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory, request):
    """On SQLite, test in a database file, as Warrant runs (WAL, busy timeout, IMMEDIATE transactions).

    Django's default in-memory test database shares one cache between connections and answers a
    second writer "table is locked" at once instead of waiting, so parallel clients (tests/
    test_concurrency.py, live-server browser tests) would fail in ways production never does.
    A folder of this session's own keeps parallel test runs apart.
    The browser process (`-m browser`) keeps Django's in-memory database, which its live server
    shares with the test thread; it was not yet checked on a file.
    """
    from django.db import connections

    markers = request.config.option.markexpr or ""
    if "browser" in markers and "not browser" not in markers:
        return

    for alias in connections:
        test_settings = connections[alias].settings_dict.setdefault("TEST", {})
        if connections[alias].vendor == "sqlite" and not test_settings.get("NAME"):
            test_settings["NAME"] = str(tmp_path_factory.mktemp("db") / f"test_{alias}.sqlite3")


@pytest.fixture(autouse=True, scope="session")
def sessions_in_the_database():
    """Query counts are pinned with the embedded default's database sessions. With REDIS_URL set the
    default cache (reader layers, downloads) is still Redis here; production's cached_db sessions are
    checked by tests/test_sign_out_everywhere.py and tests/test_shared_cache.py."""
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db"):
        yield


@pytest.fixture(autouse=True, scope="session")
def rate_limits_in_memory():
    """Rate-limit counters in this process's memory during tests (LocMemCache counts under a lock), so
    that clearing them between tests needs no database and query counts leave them out.
    tests/test_ratelimit.py and tests/test_ratelimit_races.py check the database table and Redis."""
    in_memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "warrant-test-rate-limits"}
    with override_settings(
        CACHES={**settings.CACHES, "ratelimit-test": in_memory}, WARRANT_RATE_LIMIT_CACHE="ratelimit-test"
    ):
        yield


@pytest.fixture(autouse=True)
def fresh_rate_limits(rate_limits_in_memory):
    """Every test starts with no requests counted against anyone."""
    ratelimit.reset()


@pytest.fixture
def rate_limits_in_database(settings):
    """Counters where Warrant keeps them without Redis: the accounts.RateLimitCounter table."""
    settings.WARRANT_RATE_LIMIT_CACHE = ""


@pytest.fixture
def rate_limits_in_redis(settings):
    """Counters where Warrant keeps them with REDIS_URL set: the real Redis it names, under a key prefix
    of this test's own (nothing is flushed; the keys expire by themselves)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (e.g. redis://127.0.0.1:6379/5)")
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": f"warrant-test-{uuid.uuid4().hex}",
    }
    settings.CACHES = {**settings.CACHES, "ratelimit-redis": redis}
    settings.WARRANT_RATE_LIMIT_CACHE = "ratelimit-redis"
    return redis


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with nothing kept in Django's cache (reader layers, downloads)."""
    cache.clear()


@pytest.fixture
def owner(db):
    return make_user("olga")


@pytest.fixture
def editor(db):
    return make_user("eddie")


@pytest.fixture
def annotator(db):
    return make_user("anna")


@pytest.fixture
def viewer(db):
    return make_user("vic")


@pytest.fixture
def outsider(db):
    return make_user("otto")


@pytest.fixture
def private_map(owner, editor, annotator, viewer):
    argument_map = make_map(owner, editor=editor, annotator=annotator, viewer=viewer, title="Private seminar")
    services.add_source(argument_map=argument_map, source=make_source("A private source", added_by=owner), actor=owner)
    return argument_map


@pytest.fixture
def public_map(owner, editor, annotator, viewer):
    return make_map(
        owner, editor=editor, annotator=annotator, viewer=viewer, visibility=Visibility.PUBLIC, title="Open seminar"
    )
