"""Accounts: sign-up, password reset by email, password change, and the email settings behind them."""

import re
import runpy
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from arguments.models import Invitation, Membership

from .factories import make_user

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def test_the_login_page_offers_a_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "Forgot your password?" in page


def test_password_reset_by_email_from_start_to_finish(client, mailoutbox):
    make_user("nina", email="nina@example.org")
    response = client.post(reverse("password_reset"), {"email": "NINA@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert "Check your email" in client.get(response["Location"]).content.decode()

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["nina@example.org"] and email.subject == "Choose a new password for Warrant"
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", email.body).group(1)

    # Django swaps the token in the link for one kept in the session, then shows the form.
    form_url = client.get(link)["Location"]
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()
    done = client.post(form_url, {"new_password1": "a-fresh-secret-42", "new_password2": "a-fresh-secret-42"})
    assert done["Location"] == reverse("password_reset_complete")
    assert "Your password is changed" in client.get(done["Location"]).content.decode()

    assert client.post(reverse("login"), {"username": "nina", "password": "pw-for-tests"}).status_code == 200
    assert client.post(reverse("login"), {"username": "nina", "password": "a-fresh-secret-42"}).status_code == 302
    # The link works once.
    client.logout()
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_a_forged_reset_link_is_refused_clearly(client):
    user = make_user("nina", email="nina@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page = client.get(reverse("password_reset_confirm", args=[uid, "abc-123"])).content.decode()
    assert "This link no longer works" in page and reverse("password_reset") in page


def test_signed_in_people_change_their_password(client):
    user = make_user("nina")
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in page
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": "a-fresh-secret-42", "new_password2": "a-fresh-secret-42"},
    )
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": "pw-for-tests", "new_password1": "a-fresh-secret-42", "new_password2": "a-fresh-secret-42"},
    )
    assert done["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("a-fresh-secret-42")


def test_someone_invited_by_email_signs_up_and_joins(client, owner, private_map, mailoutbox):
    client.force_login(owner)
    client.post(reverse("arguments:invite", args=[private_map.slug]), {"who": "new@example.org", "role": "annotator"})
    client.logout()
    path = re.search(r"https?://testserver(/invite/\S+/)", mailoutbox[0].body).group(1)
    invitation_page = client.get(path).content.decode()
    assert f"{reverse('signup')}?next={path}" in invitation_page

    response = client.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "email": "new@example.org",
            "password1": "a-fresh-secret-42",
            "password2": "a-fresh-secret-42",
            "next": path,
        },
    )
    assert response["Location"] == path
    joined = client.post(path)
    assert joined["Location"] == private_map.get_absolute_url()
    newcomer = get_user_model().objects.get(username="newcomer")
    assert Membership.objects.get(map=private_map, user=newcomer).role == "annotator"
    assert Invitation.objects.get(email="new@example.org").uses == 1


def test_sign_up_refuses_an_unsafe_next_address(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "nina",
            "password1": "a-fresh-secret-42",
            "password2": "a-fresh-secret-42",
            "next": "//evil.test/",
        },
    )
    assert response["Location"] == reverse("home")


def load_settings(monkeypatch, **environ) -> dict:
    for name in ["EMAIL_HOST", "EMAIL_BACKEND", "EMAIL_PORT", "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL", "REDIS_URL"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_email_goes_to_the_console_unless_smtp_is_configured(monkeypatch):
    assert load_settings(monkeypatch)["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    smtp = load_settings(
        monkeypatch,
        EMAIL_HOST="smtp.example.org",
        EMAIL_HOST_USER="warrant",
        EMAIL_HOST_PASSWORD="secret",
        DEFAULT_FROM_EMAIL="Warrant <noreply@example.org>",
    )
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == ("smtp.example.org", 587, True)
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("warrant", "secret")
    assert smtp["DEFAULT_FROM_EMAIL"] == "Warrant <noreply@example.org>"
    plain = load_settings(monkeypatch, EMAIL_HOST="mail.local", EMAIL_USE_TLS="0")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"]) == (25, False)


def test_rate_limits_follow_the_environment(monkeypatch):
    defaults = load_settings(monkeypatch)
    assert defaults["WARRANT_RATE_LIMITS"]["write"] == "120/60"
    assert defaults["WARRANT_RATE_LIMIT_CACHE"] == "", "without Redis the counters live in the database"
    monkeypatch.setenv("WARRANT_RATE_LIMIT_WRITE", "300/60")
    monkeypatch.setenv("WARRANT_RATE_LIMIT_SIGNUP", "off")
    limits = load_settings(monkeypatch)["WARRANT_RATE_LIMITS"]
    assert limits["write"] == "300/60" and limits["signup"] == "off"


def test_with_redis_the_rate_limit_counters_live_there(monkeypatch):
    loaded = load_settings(monkeypatch, REDIS_URL="redis://cache.internal:6379/0")
    counters = loaded["CACHES"][loaded["WARRANT_RATE_LIMIT_CACHE"]]
    assert counters["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert counters["LOCATION"] == "redis://cache.internal:6379/0"


def test_without_debug_a_secret_key_is_required(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set when DEBUG is off. Make one with"):
        load_settings(monkeypatch, DEBUG="0")
    production = load_settings(monkeypatch, DEBUG="0", SECRET_KEY="a-long-random-production-key")
    assert production["SECRET_KEY"] == "a-long-random-production-key" and production["DEBUG"] is False
    monkeypatch.delenv("SECRET_KEY")
    assert load_settings(monkeypatch, DEBUG="1")["SECRET_KEY"].startswith("django-insecure-"), "fine on a laptop"


def test_the_login_page_lists_the_demo_accounts_on_a_development_server(client, settings):
    from arguments.demo import DEMO_USERS

    settings.DEBUG = True
    assert "Demo accounts" not in client.get(reverse("login")).content.decode()  # no demo loaded
    for name in DEMO_USERS:
        make_user(name)
    page = client.get(reverse("login")).content.decode()
    assert "Demo accounts" in page and all(name in page for name in DEMO_USERS)
    settings.DEBUG = False
    assert "Demo accounts" not in client.get(reverse("login")).content.decode()
