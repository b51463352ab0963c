"""Many clients guess at once: no more than the limit get through to a password check.

Each client is a real Django test client in a thread of its own, with its own database connection,
released together at a barrier (tests/parallel.py). The counters are where Warrant keeps them: the
database table (SQLite in WAL mode or PostgreSQL, whichever the suite runs on) and, when REDIS_URL
is set, Redis. A password check that fails is seen through Django's user_login_failed signal.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.urls import reverse

from .factories import make_user
from .parallel import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 16
LIMIT = 10


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    request.getfixturevalue(f"rate_limits_in_{request.param}")
    settings.WARRANT_RATE_LIMITS = {
        "write": "off",
        "login": f"{LIMIT}/300",
        "login_ip": f"{LIMIT}/300",
        "signup": f"{LIMIT}/3600",
        "password_reset": f"{LIMIT}/3600",
    }
    return request.param


@pytest.fixture
def password_checks():
    failures = []
    lock = threading.Lock()

    def note(sender, credentials, **kwargs):
        with lock:
            failures.append(credentials.get("username"))

    user_login_failed.connect(note)
    yield failures
    user_login_failed.disconnect(note)


def sign_in_page(i: int, username: str):
    return Client().post(reverse("login"), {"username": username, "password": f"guess {i}"}, REMOTE_ADDR="10.0.0.1")


def token_endpoint(i: int, username: str):
    body = {"username": username, "password": f"guess {i}"}
    return Client().post("/api/v1/auth/token/", body, content_type="application/json", REMOTE_ADDR="10.0.0.1")


CHECKED = {sign_in_page: 200, token_endpoint: 400}  # a wrong password's answer; beyond the limit: 429


@pytest.mark.parametrize("guess", [sign_in_page, token_endpoint], ids=["sign-in page", "token endpoint"])
def test_parallel_guesses_at_one_account_reach_the_password_check_at_most_limit_times(store, guess, password_checks):
    make_user("nina")

    responses = in_parallel(lambda i: guess(i, "nina"), CLIENTS)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [CHECKED[guess]] * LIMIT + [429] * (CLIENTS - LIMIT), statuses
    assert len(password_checks) == LIMIT


@pytest.mark.parametrize("guess", [sign_in_page, token_endpoint], ids=["sign-in page", "token endpoint"])
def test_parallel_guesses_at_many_accounts_from_one_address_reach_the_check_at_most_limit_times(
    store, guess, password_checks
):
    responses = in_parallel(lambda i: guess(i, f"name{i}"), CLIENTS)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [CHECKED[guess]] * LIMIT + [429] * (CLIENTS - LIMIT)
    assert len(password_checks) == LIMIT


def test_parallel_sign_ups_from_one_address_create_at_most_limit_accounts(store):
    def sign_up(i: int):
        password = f"a-fresh-secret-{i}-42"
        form = {"username": f"newcomer{i}", "password1": password, "password2": password}
        return Client().post(reverse("signup"), form, REMOTE_ADDR="10.0.0.1")

    responses = in_parallel(sign_up, CLIENTS)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [302] * LIMIT + [429] * (CLIENTS - LIMIT)
    assert get_user_model().objects.filter(username__startswith="newcomer").count() == LIMIT


def test_parallel_reset_requests_from_one_address_send_at_most_limit_emails(store, mailoutbox):
    make_user("nina", email="nina@example.org")

    def request_reset(i: int):
        return Client().post(reverse("password_reset"), {"email": "nina@example.org"}, REMOTE_ADDR="10.0.0.1")

    responses = in_parallel(request_reset, CLIENTS)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [302] * LIMIT + [429] * (CLIENTS - LIMIT)
    assert len(mailoutbox) == LIMIT
