"""Deleting with a real browser and only the keyboard: it asks first, says what goes, then goes.

Also the way back in: "Forgot your password?" from the login page to a new password.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from arguments import services
from arguments.models import ArgumentMap, Claim, Invitation
from tests.factories import make_claim, make_map, make_source, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"


def log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def activate_by_keyboard(page, locator, max_tabs: int = 80) -> None:
    """Tab until `locator` has the focus, then press Enter, as a keyboard user would."""
    page.locator("body").focus()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if locator.evaluate("node => node === document.activeElement"):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


@pytest.fixture
def seminar():
    owner, editor = make_user("olga"), make_user("eddie")
    argument_map = make_map(owner, editor=editor, title="Keyboard seminar")
    source = make_source("Keyboard reading", added_by=owner)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = make_claim(argument_map, "Coalitions act fast.", actor=owner)
    other = make_claim(argument_map, "Speed is not legitimacy.", actor=owner)
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=other, to_claim=claim, kind="opposes")
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=30, claim=claim, stance="states"
    )
    return argument_map, claim


def test_an_editor_deletes_a_claim_after_reading_what_goes_with_it(live_server, page, seminar):
    argument_map, claim = seminar
    claim_path = f"/maps/{argument_map.slug}/claims/{claim.pk}/"
    log_in(page, live_server, "eddie", claim_path)

    activate_by_keyboard(page, page.get_by_role("link", name="Delete claim…"))
    expect(page.get_by_role("heading", name="Delete this claim?")).to_be_visible()
    consequences = page.locator(".consequences")
    expect(consequences).to_contain_text("1 link to other claims")
    expect(consequences).to_contain_text("Speed is not legitimacy.")
    expect(consequences).to_contain_text("1 piece of evidence")
    expect(consequences).to_contain_text("1 passage quoted nowhere else")
    assert Claim.objects.filter(pk=claim.pk).exists(), "opening the confirmation deletes nothing"

    activate_by_keyboard(page, page.get_by_role("button", name="Delete the claim"))
    expect(page).to_have_url(f"{live_server.url}/maps/{argument_map.slug}/")
    expect(page.get_by_role("status")).to_contain_text("Claim deleted, with 1 link, 1 piece of evidence")
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_an_owner_deletes_a_map_only_by_typing_its_title(live_server, page, seminar):
    argument_map, _ = seminar
    settings_path = f"/maps/{argument_map.slug}/settings/"
    log_in(page, live_server, "olga", settings_path)
    activate_by_keyboard(page, page.get_by_role("link", name="Delete this map…"))
    expect(page.locator(".consequences")).to_contain_text("2 claims and 1 link")

    field = page.get_by_label("Type the map's title to confirm")
    field.fill("Keyboard")
    field.press("Enter")
    expect(page.get_by_text("Type the map's title exactly as shown to confirm.")).to_be_visible()
    assert ArgumentMap.objects.filter(pk=argument_map.pk).exists()

    page.get_by_label("Type the map's title to confirm").fill("Keyboard seminar")
    page.get_by_label("Type the map's title to confirm").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text("Deleted the map “Keyboard seminar”")
    assert not ArgumentMap.objects.filter(pk=argument_map.pk).exists()


def test_revoking_a_link_opens_a_confirmation_first(live_server, page, seminar):
    argument_map, _ = seminar
    services.create_invitation(argument_map=argument_map, role="viewer", actor=argument_map.created_by)
    log_in(page, live_server, "olga", f"/maps/{argument_map.slug}/members/")
    revoke = page.get_by_role("button", name="Yes, revoke")
    expect(revoke).to_be_hidden()
    activate_by_keyboard(page, page.locator("summary", has_text="Revoke…"))
    expect(revoke).to_be_visible()
    revoke.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Invitation revoked")
    assert Invitation.objects.get().state == "revoked"


def test_forgot_password_from_the_login_page_to_a_new_password(live_server, page, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_user("nina", email="nina@example.org")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("nina@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("a-fresh-secret-42")
    page.get_by_label("New password confirmation").fill("a-fresh-secret-42")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()

    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill("a-fresh-secret-42")
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".who")).to_contain_text("nina")
