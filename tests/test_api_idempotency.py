"""Idempotency-Key on API creates: a retried request makes nothing twice and gets the first answer again."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import IdempotencyKey
from arguments.exports.common import dumps
from arguments.exports.warrant_json import export_map
from arguments.models import ArgumentMap, Claim, Comment, Evidence, MapSource, Membership, Relation

from .factories import make_claim, make_map, make_source, make_user
from .parallel import in_parallel

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def send_twice(client, url, body, *, key="key-1", format="json"):
    first = client.post(url, body, format=format, HTTP_IDEMPOTENCY_KEY=key)
    if format == "multipart":  # an uploaded file is read by the first request; give the retry its own
        body = {name: _reopened(value) for name, value in body.items()}
    again = client.post(url, body, format=format, HTTP_IDEMPOTENCY_KEY=key)
    return first, again


def _reopened(value):
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), content_type=value.content_type)
    return value


def test_a_retried_claim_is_made_once_and_answered_the_same(api, private_map, annotator):
    url = f"{API}/maps/{private_map.slug}/claims/"
    first, again = send_twice(as_user(api, annotator), url, {"text": "Coalitions act fast."})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert Claim.objects.filter(map=private_map, text="Coalitions act fast.").count() == 1


def test_without_a_key_every_request_creates(api, private_map, annotator):
    url = f"{API}/maps/{private_map.slug}/claims/"
    as_user(api, annotator)
    for _ in range(2):
        assert api.post(url, {"text": "Said twice."}, format="json").status_code == 201
    assert Claim.objects.filter(map=private_map, text="Said twice.").count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(api, private_map, annotator):
    url = f"{API}/maps/{private_map.slug}/claims/"
    as_user(api, annotator)
    assert api.post(url, {"text": "First."}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    other = api.post(url, {"text": "Second."}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    assert not Claim.objects.filter(text="Second.").exists()


def test_keys_belong_to_their_user(api, private_map, annotator, editor):
    url = f"{API}/maps/{private_map.slug}/claims/"
    for person in (annotator, editor):
        answer = as_user(api, person).post(url, {"text": "Ours."}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
        assert answer.status_code == 201
    assert Claim.objects.filter(text="Ours.").count() == 2


def test_a_refused_create_keeps_no_key_so_the_corrected_retry_runs(api, private_map, annotator):
    url = f"{API}/maps/{private_map.slug}/claims/"
    as_user(api, annotator)
    assert api.post(url, {"text": " "}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert api.post(url, {"text": "Now with words."}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201


def test_an_expired_key_may_be_used_again(api, private_map, annotator):
    url = f"{API}/maps/{private_map.slug}/claims/"
    as_user(api, annotator)
    api.post(url, {"text": "Yesterday."}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyKey.objects.update(created=timezone.now() - timedelta(hours=25))
    again = api.post(url, {"text": "Yesterday."}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Claim.objects.filter(text="Yesterday.").count() == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "naïve"])
def test_a_malformed_key_is_a_400(api, private_map, annotator, key):
    url = f"{API}/maps/{private_map.slug}/claims/"
    answer = as_user(api, annotator).post(url, {"text": "A claim."}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()
    assert not Claim.objects.filter(text="A claim.").exists()


def test_every_create_replays(api, private_map, owner, outsider):
    as_user(api, owner)
    base = f"{API}/maps/{private_map.slug}/"
    a, b = make_claim(private_map, "A.", actor=owner), make_claim(private_map, "B.", actor=owner)
    library = make_source("Library text", text="Alliances form and dissolve quickly.", added_by=owner)
    cases = [
        (
            f"{API}/maps/",
            {"title": "Fresh", "question": "Why?"},
            "json",
            lambda: ArgumentMap.objects.filter(title="Fresh"),
        ),
        (
            base + "members/",
            {"username": outsider.username, "role": "viewer"},
            "json",
            lambda: Membership.objects.filter(user=outsider),
        ),
        (base + "sources/", {"source": library.slug}, "json", lambda: MapSource.objects.filter(source=library)),
        (
            base + "sources/",
            {"file": SimpleUploadedFile("notes.txt", b"Plain notes on coalitions.", content_type="text/plain")},
            "multipart",
            lambda: MapSource.objects.filter(map=private_map, source__original_name="notes.txt"),
        ),
        (
            base + "relations/",
            {"from_claim": a.pk, "to_claim": b.pk, "kind": "supports"},
            "json",
            lambda: Relation.objects.filter(from_claim=a),
        ),
        (
            base + "evidence/",
            {
                "claim": a.pk,
                "stance": "supports",
                "source": private_map.sources.get().slug,
                "exact": private_map.sources.get().text[:12].strip(),
            },
            "json",
            lambda: Evidence.objects.filter(claim=a),
        ),
        (
            base + "comments/",
            {"claim": a.pk, "body": "Agreed."},
            "json",
            lambda: Comment.objects.filter(body="Agreed."),
        ),
        (
            f"{API}/imports/",
            {
                "file": SimpleUploadedFile(
                    "map.json", dumps(export_map(private_map)).encode(), content_type="application/json"
                ),
                "title": "Copy",
            },
            "multipart",
            lambda: ArgumentMap.objects.filter(memberships__user=owner),
        ),
    ]
    for n, (url, body, fmt, made) in enumerate(cases):
        before = made().count()
        first, again = send_twice(api, url, body, key=f"key-{n}", format=fmt)
        assert first.status_code == 201, (url, first.json())
        assert (again.status_code, again.json()) == (201, first.json()), url
        assert made().count() == before + 1, url


# ---- two identical requests at the same moment


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_make_one_claim(settings):
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "write": "off"}
    owner = make_user("olga")
    argument_map = make_map(owner, title="Busy seminar")
    token = Token.objects.create(user=owner).key
    url = f"{API}/maps/{argument_map.slug}/claims/"

    def create(_: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(url, {"text": "Only once."}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

    answers = in_parallel(create, 2)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Claim.objects.filter(map=argument_map, text="Only once.").count() == 1
    assert IdempotencyKey.objects.get(key="retry-1").body == json.loads(json.dumps(answers[0].json()))
