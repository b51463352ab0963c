"""Rate limits: writes per user, sign-in attempts per address and name, sign-ups and resets per address.

Parallel clients against the limits: tests/test_ratelimit_races.py.
"""

import logging

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import RateLimitCounter
from arguments.models import ArgumentMap
from config import ratelimit

from .factories import make_user

pytestmark = pytest.mark.django_db

LIMITS = {"write": "3/60", "login": "3/300", "login_ip": "5/300", "signup": "2/3600", "password_reset": "2/3600"}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.WARRANT_RATE_LIMITS = LIMITS


@pytest.fixture
def frozen_clock(monkeypatch):
    """A clock the test moves by hand, starting at the beginning of a minute."""
    now = [1_008_000.0]  # a multiple of 60, 300 and 3600: a fresh window for every limit above
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


def new_map(client, title):
    return client.post(reverse("arguments:new"), {"title": title, "question": "Why?", "visibility": "private"})


def test_writes_beyond_the_limit_get_429_with_a_message_and_retry_after(client, owner, frozen_clock):
    client.force_login(owner)
    assert [new_map(client, f"Map {i}").status_code for i in range(3)] == [302, 302, 302]
    frozen_clock[0] += 15
    refused = new_map(client, "One too many")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    page = refused.content.decode()
    assert "faster than Warrant allows" in page and "wait 45 seconds" in page and "nothing was saved" in page
    assert not ArgumentMap.objects.filter(title="One too many").exists()
    assert client.get(reverse("arguments:list")).status_code == 200, "reading is never limited"


def test_the_limit_resets_after_the_window(client, owner, frozen_clock):
    client.force_login(owner)
    for i in range(3):
        new_map(client, f"Map {i}")
    assert new_map(client, "Refused").status_code == 429
    frozen_clock[0] += 60
    assert new_map(client, "Next minute").status_code == 302
    assert ArgumentMap.objects.filter(title="Next minute").exists()


def test_the_write_limit_is_per_user(client, owner, editor, frozen_clock):
    client.force_login(owner)
    for i in range(4):
        new_map(client, f"Olga's {i}")
    assert new_map(client, "Still refused").status_code == 429
    client.force_login(editor)
    assert new_map(client, "Eddie's first").status_code == 302


def test_api_writes_count_too_and_get_json(client, owner, frozen_clock):
    token = Token.objects.create(user=owner)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    for _ in range(3):
        assert client.post("/api/v1/claims/", {}, **headers).status_code != 429
    refused = client.post("/api/v1/claims/", {}, **headers)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json()["retry_after"] == 60 and "faster than Warrant allows" in refused.json()["detail"]
    # The same person's browser session shares the count.
    client.force_login(owner)
    assert new_map(client, "Via the page").status_code == 429


def test_logging_out_works_whatever_the_count(client, owner, frozen_clock):
    client.force_login(owner)
    for i in range(4):
        new_map(client, f"Map {i}")
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_anonymous_writes_are_not_counted_as_anyone(client, frozen_clock):
    for _ in range(5):
        assert client.post(reverse("arguments:new"), {}).status_code == 302  # to the login page


def login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failed_sign_ins_are_limited_per_address_and_name(client, frozen_clock):
    make_user("nina")
    assert [login(client, "nina", "wrong").status_code for _ in range(3)] == [200, 200, 200]
    refused = login(client, "nina", "pw-for-tests")
    assert refused.status_code == 429, "even the right password waits once the limit is reached"
    assert "Too many failed sign-in attempts" in refused.content.decode() and refused["Retry-After"] == "300"
    assert login(client, "nina", "pw-for-tests", address="10.0.0.2").status_code == 302, "other addresses are fine"
    frozen_clock[0] += 300
    assert login(client, "nina", "pw-for-tests").status_code == 302


def test_successful_sign_ins_do_not_count(client, frozen_clock):
    make_user("nina")
    for _ in range(6):
        assert login(client, "nina", "pw-for-tests").status_code == 302
        client.logout()


def test_trying_many_names_from_one_address_is_limited(client, frozen_clock):
    for name in ["a", "b", "c", "d", "e"]:
        assert login(client, name, "guess").status_code == 200
    refused = login(client, "f", "guess")
    assert refused.status_code == 429 and "from your network" in refused.content.decode()


def test_sign_up_attempts_are_limited_per_address(client, frozen_clock):
    for name in ["ann1", "ann2"]:
        client.post(reverse("signup"), {"username": name, "password1": "x", "password2": "y"})
    refused = client.post(
        reverse("signup"),
        {"username": "ann3", "email": "", "password1": "long-pass-1234", "password2": "long-pass-1234"},
    )
    assert refused.status_code == 429 and "sign-up attempts" in refused.content.decode()
    assert not get_user_model().objects.filter(username="ann3").exists()


def test_password_reset_requests_are_limited_per_address(client, frozen_clock, mailoutbox):
    make_user("nina", email="nina@example.org")
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": "nina@example.org"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": "nina@example.org"}).status_code == 429
    assert len(mailoutbox) == 2


def test_addresses_behind_a_trusted_proxy_come_from_x_forwarded_for(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert ratelimit.client_address(request) == "10.0.0.9"
    settings.WARRANT_RATE_LIMIT_PROXIES = 1
    assert ratelimit.client_address(request) == "203.0.113.5", "the client-written part is not trusted"


def test_a_scope_can_be_switched_off(client, owner, settings):
    settings.WARRANT_RATE_LIMITS = {**LIMITS, "write": "off"}
    client.force_login(owner)
    assert all(new_map(client, f"Map {i}").status_code == 302 for i in range(5))


@pytest.mark.parametrize("text", ["0/60", "-1/60", "5/0", "many"])
def test_bad_limits_are_refused_early(text):
    with pytest.raises(ValueError):
        ratelimit.Rule.parse(text)


@pytest.fixture
def password_checks():
    """How many times a password was checked and found wrong (Django's user_login_failed signal)."""
    failures = []

    def note(sender, credentials, **kwargs):
        failures.append(credentials.get("username"))

    user_login_failed.connect(note)
    yield failures
    user_login_failed.disconnect(note)


def test_beyond_the_limit_a_password_is_not_even_checked(client, frozen_clock, password_checks):
    make_user("nina")
    statuses = [login(client, "nina", f"guess {i}").status_code for i in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert len(password_checks) == 3, "refused attempts never reach the password check"


def test_a_refused_attempt_does_not_count_against_the_address(client, frozen_clock):
    """Hammering one locked account does not use up the address's budget for other accounts."""
    make_user("nina")
    for _ in range(3):
        login(client, "nina", "wrong")
    for _ in range(4):
        assert login(client, "nina", "wrong").status_code == 429
    # login_ip allows 5: the 3 real failures count, the 4 refusals do not.
    assert [login(client, "omar", "wrong").status_code for _ in range(3)] == [200, 200, 429]


# ---- where the counters live


@pytest.fixture(params=["memory", "database", "redis"])
def store(request):
    """Each place counters can live: this process's memory (the tests' default), the database table,
    and Redis (skipped when REDIS_URL is unset)."""
    if request.param != "memory":
        request.getfixturevalue(f"rate_limits_in_{request.param}")
    return request.param


def test_every_store_counts_per_window_and_takes_counts_back(store, frozen_clock):
    counted = [ratelimit.hit("write", "user:7") for _ in range(4)]
    assert [verdict.allowed for verdict in counted] == [True, True, True, False]
    assert len({verdict.key for verdict in counted}) == 1 and counted[0].retry_after == 60
    ratelimit.give_back(counted[3:])
    again = ratelimit.hit("write", "user:7")
    assert not again.allowed, "giving back a refusal only undoes the refusal"
    ratelimit.give_back([again, counted[0]])
    assert ratelimit.hit("write", "user:7").allowed, "giving back an attempt that went on frees its place"
    assert not ratelimit.hit("write", "user:7").allowed
    assert ratelimit.hit("write", "user:8").allowed, "counters are per client"
    frozen_clock[0] += 60
    assert ratelimit.hit("write", "user:7").allowed, "a new window starts from nothing"


def test_the_database_table_is_shared_and_keeps_only_live_windows(rate_limits_in_database, frozen_clock):
    for _ in range(2):
        ratelimit.hit("write", "user:7")
    verdict = ratelimit.hit("login", "10.0.0.1|nina")
    row = RateLimitCounter.objects.get(key=verdict.key)
    assert (row.count, row.expires) == (1, frozen_clock[0] + 300)
    # Another app process is another connection to the same table: it sees and adds to the same count.
    RateLimitCounter.objects.filter(key__startswith="rl:write:").update(count=3)
    assert not ratelimit.hit("write", "user:7").allowed
    frozen_clock[0] += 60  # the write window is over, the login window is not
    ratelimit.hit("write", "user:9")  # a new counter clears the rows of windows that are over
    assert sorted(RateLimitCounter.objects.values_list("key", flat=True)) == sorted(
        [verdict.key, ratelimit.hit("write", "user:9").key]
    )
    assert "nina" not in verdict.key and "10.0.0.1" not in verdict.key, "who it is is stored hashed"


def test_redis_keys_expire_a_period_after_their_window(rate_limits_in_redis, frozen_clock):
    frozen_clock[0] += 15
    verdict = ratelimit.hit("write", "user:7")
    server = redis.Redis.from_url(rate_limits_in_redis["LOCATION"])
    ttl = server.ttl(caches["ratelimit-redis"].make_key(verdict.key))
    assert 45 + 60 - 2 <= ttl <= 45 + 60, ttl


def test_a_cache_that_cannot_count_atomically_is_refused(settings):
    settings.CACHES = {
        **settings.CACHES,
        "table": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rate_limits"},
    }
    settings.WARRANT_RATE_LIMIT_CACHE = "table"
    with pytest.raises(ImproperlyConfigured, match="cannot count atomically"):
        ratelimit.hit("write", "user:7")


def test_a_store_that_does_not_answer_lets_requests_through_and_says_so(settings, client, owner, caplog):
    """Nothing listens on port 1: a real refused connection, as when Redis is down."""
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        },
    }
    settings.WARRANT_RATE_LIMIT_CACHE = "down"
    client.force_login(owner)
    with caplog.at_level(logging.ERROR, logger="config.ratelimit"):
        assert all(new_map(client, f"Map {i}").status_code == 302 for i in range(4))
    assert "Rate limit storage unavailable; write not limited." in caplog.text
