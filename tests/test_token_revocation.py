"""A change of password revokes the account's API token, however the password is changed.

Sessions already end on a password change (Django's session hash); a token must too, or a leaked
password's token would outlive the new password. Re-hashing an unchanged password at sign-in is no
change and keeps the token.
"""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from .factories import make_user

pytestmark = pytest.mark.django_db

NEW = "a-fresh-secret-42"


@pytest.fixture
def nina():
    user = make_user("nina", email="nina@example.org")
    Token.objects.create(user=user)
    return user


def has_token(user) -> bool:
    return Token.objects.filter(user=user).exists()


def test_the_password_change_page_revokes_the_token(client, nina):
    client.force_login(nina)
    form = {"old_password": "pw-for-tests", "new_password1": NEW, "new_password2": NEW}
    assert client.post(reverse("password_change"), form).status_code == 302
    assert not has_token(nina)
    assert (
        "your API token, if you had one, no longer works"
        in client.get(reverse("password_change_done")).content.decode()
    )


def test_a_wrong_old_password_changes_nothing(client, nina):
    client.force_login(nina)
    form = {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW}
    assert client.post(reverse("password_change"), form).status_code == 200
    assert has_token(nina)


def test_a_reset_by_email_revokes_the_token(client, nina, mailoutbox):
    client.post(reverse("password_reset"), {"email": "nina@example.org"})
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    assert has_token(nina), "asking for a reset changes nothing yet"
    assert client.post(form_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    assert not has_token(nina)


def test_the_admin_password_form_revokes_the_token(client, nina):
    admin = make_user("ada", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[nina.pk])
    response = client.post(url, {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302
    nina.refresh_from_db()
    assert nina.check_password(NEW) and not has_token(nina)


def test_disabling_password_sign_in_in_the_admin_revokes_the_token(client, nina):
    client.force_login(make_user("ada", is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[nina.pk])
    assert client.post(url, {"usable_password": "false", "unset-password": "Disable"}).status_code == 302
    nina.refresh_from_db()
    assert not nina.has_usable_password() and not has_token(nina)


def test_set_password_and_save_in_code_revokes_the_token(nina):
    nina.set_password(NEW)
    assert has_token(nina), "nothing happens until the new password is saved"
    nina.save()
    assert not has_token(nina)


def test_other_saves_keep_the_token(client, nina):
    nina.first_name = "Nina"
    nina.save()
    assert client.post(reverse("login"), {"username": "nina", "password": "pw-for-tests"}).status_code == 302
    assert has_token(nina), "editing the account or signing in (which saves last_login) is no password change"


def test_re_hashing_an_unchanged_password_at_sign_in_keeps_the_token(nina):
    # A hash with a salt too short for today's hasher is upgraded at the next sign-in, as after a
    # Django upgrade raises the hasher's work factor: the stored hash changes, the password does not.
    old_hash = make_password("pw-for-tests", salt="ab")
    type(nina).objects.filter(pk=nina.pk).update(password=old_hash)
    answer = Client().post("/api/v1/auth/token/", {"username": "nina", "password": "pw-for-tests"})
    assert answer.status_code == 200
    nina.refresh_from_db()
    assert nina.password != old_hash, "the hash was upgraded"
    assert answer.json()["token"] == Token.objects.get(user=nina).key, "and the token stayed the same"
