"""Sign out everywhere: one button ends every session of the person, this one too, and their API token."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import SignedInSession

from .factories import make_user

pytestmark = pytest.mark.django_db

SESSION_ENGINES = ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]


def signed_in(username: str, password: str = "pw-for-tests") -> Client:
    """A browser that signed in through the sign-in page, as people do."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "signed in"
    return browser


def is_signed_in(browser: Client) -> bool:
    return browser.get(reverse("password_change")).status_code == 200


def api_answer(token_key: str) -> int:
    return Client().get("/api/v1/maps/", HTTP_AUTHORIZATION=f"Token {token_key}").status_code


@pytest.mark.parametrize("engine", SESSION_ENGINES, ids=["db", "cached_db"])
def test_signing_out_everywhere_ends_every_session_and_the_api_token(settings, engine):
    settings.SESSION_ENGINE = engine
    nina = make_user("nina")
    laptop, phone, others = signed_in("nina"), signed_in("nina"), signed_in(make_user("otto").username)
    token = Token.objects.create(user=nina)
    assert api_answer(token.key) == 200

    page = laptop.get(reverse("sign_out_everywhere")).content.decode()
    assert "<strong>2</strong> sessions, this one included" in page
    assert "Your API token (created" in page and "stops working" in page
    assert is_signed_in(phone), "asking changes nothing"

    done = laptop.post(reverse("sign_out_everywhere"), follow=True)
    assert done.redirect_chain == [(reverse("home"), 302)]
    assert "You are signed out everywhere (2 sessions and your API token)." in done.content.decode()
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert api_answer(token.key) == 401 and not Token.objects.filter(user=nina).exists()
    assert is_signed_in(others), "nobody else is signed out"
    assert not SignedInSession.objects.filter(user=nina).exists()


def test_a_session_renewed_by_a_password_change_is_ended_too(client):
    """Changing a password gives the browser that did it a new session key; that one is noted as well."""
    make_user("nina")
    laptop = signed_in("nina")
    form = {"old_password": "pw-for-tests", "new_password1": "a-fresh-secret-42", "new_password2": "a-fresh-secret-42"}
    assert laptop.post(reverse("password_change"), form).status_code == 302
    assert is_signed_in(laptop), "Django keeps the browser that changed the password signed in"

    phone = signed_in("nina", "a-fresh-secret-42")
    assert "<strong>2</strong> sessions" in phone.get(reverse("sign_out_everywhere")).content.decode()
    phone.post(reverse("sign_out_everywhere"))
    assert not is_signed_in(laptop) and not is_signed_in(phone)


def test_someone_without_a_token_is_told_no_script_is_affected():
    make_user("nina")
    laptop = signed_in("nina")
    assert (
        "You have no API token, so no script is affected."
        in laptop.get(reverse("sign_out_everywhere")).content.decode()
    )
    done = laptop.post(reverse("sign_out_everywhere"), follow=True)
    assert "You are signed out everywhere (1 session)." in done.content.decode()


def test_logging_out_and_expiry_leave_no_note_behind():
    nina = make_user("nina")
    laptop = signed_in("nina")
    assert SignedInSession.objects.filter(user=nina).count() == 1
    laptop.post(reverse("logout"))
    assert not SignedInSession.objects.filter(user=nina).exists()

    signed_in("nina")
    SignedInSession.objects.filter(user=nina).update(expires=timezone.now())
    signed_in("nina")
    assert SignedInSession.objects.filter(user=nina).count() == 1, "an expired note goes at the next sign-in"


def test_the_password_page_offers_it(client):
    client.force_login(make_user("nina"))
    page = client.get(reverse("password_change")).content.decode()
    assert f'href="{reverse("sign_out_everywhere")}"' in page
