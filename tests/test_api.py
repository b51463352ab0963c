"""The REST API: what each endpoint answers and writes, versions (ETag / If-Match), tokens, paging."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arguments.exports.common import dumps
from arguments.exports.warrant_json import export_map
from arguments.models import ArgumentMap, Claim, Comment, Event, Evidence, MapSource, Membership, Relation
from sources.models import Passage, Source

from .factories import make_claim, make_source

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def claims_url(m, pk=None):
    return f"{API}/maps/{m.slug}/claims/" + (f"{pk}/" if pk else "")


# ---- tokens and sessions


def test_a_token_is_given_for_a_username_and_password_and_opens_every_endpoint(private_map, owner):
    client = APIClient()
    answer = client.post(f"{API}/auth/token/", {"username": "olga", "password": "pw-for-tests"}, format="json")
    assert answer.status_code == 200
    token = answer.json()["token"]
    assert Token.objects.get(user=owner).key == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/maps/{private_map.slug}/").json()["role"] == "owner"
    created = client.post(claims_url(private_map), {"text": "Coalitions act fast."}, format="json")
    assert created.status_code == 201


def test_a_wrong_password_gets_no_token(owner):
    answer = APIClient().post(f"{API}/auth/token/", {"username": "olga", "password": "nope"}, format="json")
    assert answer.status_code == 400
    assert not Token.objects.exists()


def test_a_revoked_token_stops_working(private_map, owner):
    token = Token.objects.create(user=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.delete(f"{API}/auth/token/").status_code == 204
    assert client.get(f"{API}/maps/{private_map.slug}/").status_code == 401


def test_session_writes_need_the_csrf_token(private_map, owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.get(f"{API}/maps/{private_map.slug}/").status_code == 200
    refused = browser.post(claims_url(private_map), {"text": "No CSRF"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Claim.objects.exists()


# ---- maps


def test_map_list_shows_public_maps_and_ones_you_belong_to(api, private_map, public_map, outsider, viewer):
    other = ArgumentMap.objects.create(title="Someone else's", slug="else", question="?")
    slugs = {m["slug"]: m["role"] for m in api.get(f"{API}/maps/").json()["results"]}
    assert slugs == {public_map.slug: None}
    as_user(api, viewer)
    slugs = {m["slug"]: m["role"] for m in api.get(f"{API}/maps/").json()["results"]}
    assert slugs == {public_map.slug: "viewer", private_map.slug: "viewer"}
    assert other.slug not in slugs


def test_creating_a_map_makes_you_its_owner(api, outsider):
    answer = as_user(api, outsider).post(
        f"{API}/maps/", {"title": "Coalitions", "question": "Should states act alone?"}, format="json"
    )
    assert answer.status_code == 201
    created = ArgumentMap.objects.get(slug=answer.json()["slug"])
    assert created.visibility == "private"
    assert Membership.objects.get(map=created).user == outsider
    assert answer["ETag"] == '"1"'


def test_map_settings_change_with_if_match(api, private_map, owner):
    as_user(api, owner)
    url = f"{API}/maps/{private_map.slug}/"
    etag = api.get(url)["ETag"]
    answer = api.patch(url, {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 200
    assert answer.json()["title"] == "Renamed"
    assert answer["ETag"] == '"2"'
    private_map.refresh_from_db()
    assert (private_map.title, private_map.question) == ("Renamed", "Should states act in coalitions?")
    stale = api.patch(url, {"title": "Again"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Renamed"


# ---- claims and versions


def test_claims_are_created_read_and_listed(api, private_map, annotator):
    as_user(api, annotator)
    answer = api.post(
        claims_url(private_map), {"text": "  Coalitions lack legitimacy. ", "kind": "claim"}, format="json"
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["text"] == "Coalitions lack legitimacy."
    assert body["created_by"] == "anna"
    assert Event.objects.filter(map=private_map, object_type="claim", verb="created").count() == 1
    assert api.get(claims_url(private_map, body["id"]))["ETag"] == '"1"'
    assert [c["id"] for c in api.get(claims_url(private_map)).json()["results"]] == [body["id"]]


def test_a_blank_claim_is_refused_with_the_pages_message(api, private_map, annotator):
    answer = as_user(api, annotator).post(claims_url(private_map), {"text": "   "}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"text": ["A claim needs some words."]}
    assert not Claim.objects.exists()


def test_claim_update_needs_if_match(api, private_map, annotator):
    claim = make_claim(private_map, "Original words.", actor=annotator)
    as_user(api, annotator)
    missing = api.patch(claims_url(private_map, claim.pk), {"text": "New words."}, format="json")
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    malformed = api.patch(claims_url(private_map, claim.pk), {"text": "New"}, format="json", HTTP_IF_MATCH="latest")
    assert malformed.status_code == 400
    claim.refresh_from_db()
    assert claim.text == "Original words." and claim.version == 1


def test_a_stale_claim_edit_gets_412_with_the_current_claim(api, private_map, annotator, editor):
    claim = make_claim(private_map, "Original words.", actor=annotator)
    url = claims_url(private_map, claim.pk)
    etag = as_user(api, annotator).get(url)["ETag"]
    other = as_user(APIClient(), editor)
    assert other.patch(url, {"text": "Editor's words."}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"text": "Annotator's words."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["ETag"] == '"2"'
    assert stale.json()["current"]["text"] == "Editor's words."
    claim.refresh_from_db()
    assert claim.text == "Editor's words."
    retry = api.patch(url, {"text": "Annotator's words."}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert retry.status_code == 200
    assert retry.json()["version"] == 3


def test_annotators_change_only_their_own_claims(api, private_map, annotator, editor):
    claim = make_claim(private_map, "The editor's claim.", actor=editor)
    url = claims_url(private_map, claim.pk)
    answer = as_user(api, annotator).patch(url, {"text": "Mine now."}, format="json", HTTP_IF_MATCH='"1"')
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Annotators can change only the claims they wrote."


def test_deleting_a_claim_reports_what_went_with_it(api, private_map, owner, source):
    thesis = make_claim(private_map, "Thesis.", actor=owner)
    claim = make_claim(private_map, "Reason.", actor=owner)
    as_user(api, owner)
    api.post(
        f"{API}/maps/{private_map.slug}/relations/",
        {"from_claim": claim.pk, "to_claim": thesis.pk, "kind": "supports"},
        format="json",
    )
    api.post(
        f"{API}/maps/{private_map.slug}/evidence/",
        {"claim": claim.pk, "stance": "states", "source": source.slug, "exact": "Critics answer"},
        format="json",
    )
    assert api.delete(claims_url(private_map, claim.pk), HTTP_IF_MATCH='"2"').status_code == 412
    answer = api.delete(claims_url(private_map, claim.pk), HTTP_IF_MATCH='"1"')
    assert answer.status_code == 200
    assert answer.json() == {"relations": 1, "evidence": 1, "comments": 0}
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Passage.objects.exists()


# ---- relations


def test_relations_are_linked_relinked_and_unlinked(api, private_map, editor):
    a, b, c = (make_claim(private_map, text) for text in ("A.", "B.", "C."))
    as_user(api, editor)
    url = f"{API}/maps/{private_map.slug}/relations/"
    created = api.post(url, {"from_claim": a.pk, "to_claim": b.pk, "kind": "opposes"}, format="json")
    assert created.status_code == 201
    detail = f"{url}{created.json()['id']}/"
    moved = api.patch(detail, {"to_claim": c.pk}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert moved.status_code == 200
    assert (moved.json()["to_claim"], moved.json()["kind"]) == (c.pk, "opposes")
    assert api.delete(detail, HTTP_IF_MATCH=created["ETag"]).status_code == 412
    assert api.delete(detail).status_code == 428
    assert api.delete(detail, HTTP_IF_MATCH=moved["ETag"]).status_code == 204
    assert not Relation.objects.exists()
    assert Claim.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"to_claim": "self"}, "to_claim", "A claim cannot support or oppose itself."),
        ({"to_claim": 999_999}, "to_claim", "There is no claim 999999 in this map."),
        ({"kind": "refutes"}, "kind", '"refutes" is not a valid choice.'),
    ],
)
def test_bad_relations_are_refused(api, private_map, editor, change, field, message):
    a = make_claim(private_map, "A.")
    body = {"from_claim": a.pk, "to_claim": make_claim(private_map, "B.").pk, "kind": "supports", **change}
    if body["to_claim"] == "self":
        body["to_claim"] = a.pk
    answer = as_user(api, editor).post(f"{API}/maps/{private_map.slug}/relations/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()[field] == [message]
    assert not Relation.objects.exists()


def test_a_duplicate_relation_is_a_clear_400(api, private_map, editor):
    a, b = make_claim(private_map, "A."), make_claim(private_map, "B.")
    url = f"{API}/maps/{private_map.slug}/relations/"
    as_user(api, editor)
    assert api.post(url, {"from_claim": a.pk, "to_claim": b.pk, "kind": "supports"}, format="json").status_code == 201
    again = api.post(url, {"from_claim": a.pk, "to_claim": b.pk, "kind": "opposes"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"to_claim": ["These two claims are already linked."]}


def test_claims_of_another_map_cannot_be_linked(api, private_map, public_map, owner):
    mine, theirs = make_claim(private_map, "Mine."), make_claim(public_map, "Theirs.")
    answer = as_user(api, owner).post(
        f"{API}/maps/{private_map.slug}/relations/",
        {"from_claim": mine.pk, "to_claim": theirs.pk, "kind": "supports"},
        format="json",
    )
    assert answer.status_code == 400


# ---- evidence and passages


def evidence_url(m, pk=None):
    return f"{API}/maps/{m.slug}/evidence/" + (f"{pk}/" if pk else "")


def test_evidence_quotes_a_passage_found_by_its_words(api, private_map, annotator, source):
    claim = make_claim(private_map, "Coalitions are unaccountable.")
    answer = as_user(api, annotator).post(
        evidence_url(private_map),
        {"claim": claim.pk, "stance": "supports", "source": source.slug, "exact": "lack accountability"},
        format="json",
    )
    assert answer.status_code == 201
    passage = Passage.objects.get()
    assert source.text[passage.start : passage.end] == "lack accountability"
    assert answer.json()["passage"] == passage.pk
    listed = api.get(f"{API}/maps/{private_map.slug}/passages/").json()["results"]
    assert [(p["id"], p["exact"], p["source"]) for p in listed] == [(passage.pk, "lack accountability", source.slug)]


def test_evidence_with_offsets_must_match_the_text(api, private_map, annotator, source):
    claim = make_claim(private_map, "Claim.")
    start = source.text.index("Critics")
    as_user(api, annotator)
    body = {"claim": claim.pk, "stance": "opposes", "source": source.slug, "exact": "Critics answer"}
    wrong = api.post(evidence_url(private_map), {**body, "start": start + 1, "end": start + 15}, format="json")
    assert wrong.status_code == 400
    assert "does not match" in wrong.json()["exact"][0]
    wrong16 = api.post(evidence_url(private_map), {**body, "start16": 0, "end16": 14}, format="json")
    assert wrong16.status_code == 400
    assert "does not match" in wrong16.json()["detail"]
    assert not Passage.objects.exists()
    right = api.post(evidence_url(private_map), {**body, "start": start, "end": start + 14}, format="json")
    assert right.status_code == 201


def test_utf16_offsets_are_converted_at_the_edge(api, private_map, owner):
    text = "Flags 🇺🇳 wave. Coalitions of the willing act quickly."
    source = make_source("Emoji", text=text, added_by=owner)
    MapSource.objects.create(map=private_map, source=source, position=1)
    claim = make_claim(private_map, "Claim.")
    start = text.index("Coalitions")
    start16 = len(text[:start].encode("utf-16-le")) // 2
    answer = as_user(api, owner).post(
        evidence_url(private_map),
        {
            "claim": claim.pk,
            "stance": "states",
            "source": source.slug,
            "exact": "Coalitions",
            "start16": start16,
            "end16": start16 + 10,
        },
        format="json",
    )
    assert answer.status_code == 201
    assert (Passage.objects.get().start, start16 - start) == (start, 2)


def test_a_quote_not_in_the_source_is_refused(api, private_map, annotator, source):
    claim = make_claim(private_map, "Claim.")
    answer = as_user(api, annotator).post(
        evidence_url(private_map),
        {"claim": claim.pk, "stance": "supports", "source": source.slug, "exact": "words nobody wrote"},
        format="json",
    )
    assert answer.status_code == 400
    assert not Evidence.objects.exists()


def test_a_source_outside_the_map_cannot_be_quoted(api, private_map, owner):
    elsewhere = make_source("Elsewhere", added_by=owner)
    claim = make_claim(private_map, "Claim.")
    answer = as_user(api, owner).post(
        evidence_url(private_map),
        {"claim": claim.pk, "stance": "supports", "source": elsewhere.slug, "exact": "Critics answer"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"source": ["This map has no source with that slug."]}


def test_evidence_is_edited_and_removed_with_versions(api, private_map, annotator, source):
    claim = make_claim(private_map, "Claim.")
    as_user(api, annotator)
    created = api.post(
        evidence_url(private_map),
        {"claim": claim.pk, "stance": "supports", "source": source.slug, "exact": "Critics answer"},
        format="json",
    ).json()
    url = evidence_url(private_map, created["id"])
    changed = api.patch(url, {"stance": "opposes", "note": "Read again."}, format="json", HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200
    assert (changed.json()["stance"], changed.json()["note"], changed["ETag"]) == ("opposes", "Read again.", '"2"')
    again = api.post(
        evidence_url(private_map), {"claim": claim.pk, "stance": "states", "passage": created["passage"]}, format="json"
    )
    # Idempotent: the existing evidence, unchanged (its stance is still the one set above).
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["stance"]) == (created["id"], "opposes")
    assert api.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert api.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not Evidence.objects.exists() and not Passage.objects.exists()


# ---- comments, members, sources


def test_comments_and_replies(api, private_map, annotator):
    claim = make_claim(private_map, "Claim.")
    url = f"{API}/maps/{private_map.slug}/comments/"
    as_user(api, annotator)
    first = api.post(url, {"claim": claim.pk, "body": "Why?"}, format="json").json()
    reply = api.post(url, {"claim": claim.pk, "body": "Because.", "parent": first["id"]}, format="json")
    assert reply.status_code == 201
    assert reply.json()["parent"] == first["id"]
    stray = api.post(url, {"claim": make_claim(private_map, "Other.").pk, "body": "x", "parent": first["id"]})
    assert stray.status_code == 400
    assert [c["body"] for c in api.get(url, {"claim": claim.pk}).json()["results"]] == ["Why?", "Because."]
    assert Comment.objects.count() == 2
    assert (first["author"], first["author_name"]) == (annotator.username, "")


def test_an_imported_comment_gives_its_authors_name_but_no_account(api, private_map, viewer):
    claim = make_claim(private_map, "Claim.")
    Comment.objects.create(claim=claim, author_name="Ana Lima", body="From an earlier seminar.")
    as_user(api, viewer)
    [comment] = api.get(f"{API}/maps/{private_map.slug}/comments/").json()["results"]
    assert (comment["author"], comment["author_name"]) == (None, "Ana Lima")


def test_owners_manage_members(api, private_map, owner, outsider, viewer):
    as_user(api, owner)
    url = f"{API}/maps/{private_map.slug}/members/"
    added = api.post(url, {"username": "otto", "role": "annotator"}, format="json")
    assert added.status_code == 201
    assert Membership.objects.get(map=private_map, user=outsider).role == "annotator"
    assert api.post(url, {"username": "otto", "role": "viewer"}, format="json").status_code == 400
    assert api.post(url, {"username": "nobody", "role": "viewer"}, format="json").status_code == 400
    assert api.post(url, {"username": "vic", "role": "owner"}, format="json").status_code == 400
    vic = Membership.objects.get(map=private_map, user=viewer)
    assert api.patch(f"{url}{vic.pk}/", {"role": "editor"}, format="json").json()["role"] == "editor"
    assert api.delete(f"{url}{vic.pk}/").status_code == 204
    mine = Membership.objects.get(map=private_map, user=owner)
    last = api.delete(f"{url}{mine.pk}/")
    assert last.status_code == 409
    assert "needs an owner" in last.json()["detail"]


def test_members_of_a_public_map_are_hidden_from_non_members(api, public_map, outsider):
    assert as_user(api, outsider).get(f"{API}/maps/{public_map.slug}/members/").status_code == 403


def test_uploading_a_source_adds_it_to_the_map(api, private_map, editor):
    upload = SimpleUploadedFile("note.txt", b"A short note.\n\nIt has two paragraphs.")
    answer = as_user(api, editor).post(
        f"{API}/maps/{private_map.slug}/sources/",
        {"file": upload, "authors": "Ana Lima; Bo Chen", "published": "2020"},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    source = Source.objects.get(slug=answer.json()["slug"])
    assert source.authors == [{"family": "Lima", "given": "Ana"}, {"family": "Chen", "given": "Bo"}]
    assert MapSource.objects.get(map=private_map, source=source).position == 1
    detail = api.get(f"{API}/maps/{private_map.slug}/sources/{source.slug}/").json()
    assert detail["text"] == source.text


def test_a_broken_upload_writes_nothing(api, private_map, editor):
    upload = SimpleUploadedFile("paper.pdf", b"this is no PDF")
    answer = as_user(api, editor).post(f"{API}/maps/{private_map.slug}/sources/", {"file": upload}, format="multipart")
    assert answer.status_code == 400
    assert "not a PDF" in answer.json()["file"][0]
    assert Source.objects.count() == 1


def test_an_oversized_upload_is_refused(api, private_map, editor, settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("long.txt", b"words " * 50)
    answer = as_user(api, editor).post(f"{API}/maps/{private_map.slug}/sources/", {"file": upload}, format="multipart")
    assert answer.status_code == 400
    assert "limit" in answer.json()["file"][0]


def test_a_library_source_is_linked_by_slug(api, private_map, editor, outsider):
    own = make_source("Editor's own", added_by=editor)
    hidden = make_source("Someone else's", added_by=outsider)
    url = f"{API}/maps/{private_map.slug}/sources/"
    as_user(api, editor)
    assert api.post(url, {"source": hidden.slug}, format="json").status_code == 400
    assert api.post(url, {"source": own.slug}, format="json").status_code == 201
    assert api.post(url, {"source": own.slug}, format="json").json() == {
        "source": ["This source is already in the map."]
    }
    assert [s["title"] for s in api.get(url).json()["results"]] == ["A private source", "Editor's own"]


# ---- events and paging


def test_events_are_paged_with_after(api, private_map, owner):
    for n in range(5):
        make_claim(private_map, f"Claim {n}.", actor=owner)
    as_user(api, owner)
    url = f"{API}/maps/{private_map.slug}/events/"
    everything = [e["id"] for e in api.get(url).json()["results"]]
    assert everything == sorted(everything)
    first = api.get(url, {"limit": 3}).json()
    assert [e["id"] for e in first["results"]] == everything[:3]
    assert f"after={everything[2]}" in first["next"] and "limit=3" in first["next"]
    second = api.get(first["next"]).json()
    assert [e["id"] for e in second["results"]] == everything[3:6]
    tail = api.get(url, {"after": everything[-1]}).json()
    assert tail == {"results": [], "next": None}
    newest = api.get(url, {"after": everything[-2]}).json()["results"][0]
    assert (newest["verb"], newest["object_type"], newest["actor"]) == ("created", "claim", "olga")
    assert newest["payload"] == {"text": "Claim 4."}


@pytest.mark.parametrize("query", [{"after": "x"}, {"after": "-1"}, {"limit": "0"}, {"limit": "501"}])
def test_bad_cursors_are_400(api, private_map, owner, query):
    answer = as_user(api, owner).get(f"{API}/maps/{private_map.slug}/events/", query)
    assert answer.status_code == 400


# ---- export and import


def test_every_export_format_downloads(api, private_map, owner):
    make_claim(private_map, "Thesis.", kind="thesis")
    as_user(api, owner)
    for fmt in ("json", "aif", "argdown", "graphml", "dot", "csv", "markdown", "webannotation"):
        answer = api.get(f"{API}/maps/{private_map.slug}/export/{fmt}/")
        assert answer.status_code == 200, fmt
        assert f'filename="{private_map.slug}.' in answer["Content-Disposition"]
        assert "private" in answer["Cache-Control"]
    assert api.get(f"{API}/maps/{private_map.slug}/export/xls/").status_code == 404


def test_import_makes_a_new_map_owned_by_the_importer(api, private_map, outsider):
    make_claim(private_map, "Thesis.", kind="thesis")
    document = dumps(export_map(private_map)).encode()
    answer = as_user(api, outsider).post(
        f"{API}/imports/", {"file": SimpleUploadedFile("map.json", document)}, format="multipart"
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["map"]["role"] == "owner" and body["map"]["slug"] != private_map.slug
    assert body["counts"]["claims"] == 1
    assert Membership.objects.get(map__slug=body["map"]["slug"]).user == outsider


def test_a_broken_import_writes_nothing(api, outsider):
    maps_before = ArgumentMap.objects.count()
    answer = as_user(api, outsider).post(
        f"{API}/imports/", {"file": SimpleUploadedFile("map.json", b'{"schema_version": 1, "claims": "x"')}
    )
    assert answer.status_code == 400
    assert answer.json()["file"][0].startswith("This file could not be imported: not valid JSON")
    assert ArgumentMap.objects.count() == maps_before


def test_import_needs_an_account(api):
    answer = api.post(f"{API}/imports/", {"file": SimpleUploadedFile("map.json", b"{}")})
    assert answer.status_code in (401, 403)


def test_wrong_methods_get_405(api, private_map, owner):
    as_user(api, owner)
    assert api.delete(f"{API}/maps/{private_map.slug}/events/").status_code == 405
    assert api.put(f"{API}/maps/{private_map.slug}/events/", {}, format="json").status_code == 405
    assert json.loads(api.post(f"{API}/maps/{private_map.slug}/passages/").content)["detail"]


def test_token_requests_share_the_sign_in_limits(owner, settings):
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "login": "2/300", "login_ip": "10/300"}
    client = APIClient()
    for _ in range(2):
        wrong = client.post(f"{API}/auth/token/", {"username": "olga", "password": "guess"}, format="json")
        assert wrong.status_code == 400
    blocked = client.post(f"{API}/auth/token/", {"username": "olga", "password": "pw-for-tests"}, format="json")
    assert blocked.status_code == 429
    assert blocked["Retry-After"]
    assert not Token.objects.exists()
    other = client.post(f"{API}/auth/token/", {"username": "OTHER", "password": "x"}, format="json")
    assert other.status_code == 400


@pytest.mark.parametrize("body", ["[]", "3", '"olga"', "null"])
def test_a_token_request_that_is_not_an_object_is_a_400(db, body):
    answer = APIClient().post(f"{API}/auth/token/", body, content_type="application/json")
    assert answer.status_code == 400


@pytest.mark.parametrize("value", ["²", "１２", "9" * 40])
def test_odd_numbers_in_queries_are_400s(api, private_map, owner, value):
    as_user(api, owner)
    assert api.get(f"{API}/maps/{private_map.slug}/events/", {"after": value}).status_code == 400
    assert api.get(f"{API}/maps/{private_map.slug}/evidence/", {"claim": value}).status_code == 400


def test_passages_filter_by_source(api, private_map, owner, source):
    claim = make_claim(private_map, "Claim.")
    as_user(api, owner).post(
        evidence_url(private_map),
        {"claim": claim.pk, "stance": "states", "source": source.slug, "exact": "Critics answer"},
        format="json",
    )
    url = f"{API}/maps/{private_map.slug}/passages/"
    assert len(api.get(url, {"source": source.slug}).json()["results"]) == 1
    assert api.get(url, {"source": "elsewhere"}).json()["results"] == []
    assert api.get(url, {"source": "bad\x00slug"}).status_code == 400


def test_offsets_past_the_end_of_the_text_are_refused(api, private_map, owner, source):
    claim = make_claim(private_map, "Claim.")
    start = source.text.index("Peace operations")
    answer = as_user(api, owner).post(
        evidence_url(private_map),
        {
            "claim": claim.pk,
            "stance": "states",
            "source": source.slug,
            "exact": source.text[start:],
            "start": start,
            "end": 10**12,
        },
        format="json",
    )
    assert answer.status_code == 400
    assert not Passage.objects.exists()


def test_a_cursor_beyond_every_id_is_an_empty_page(api, private_map, owner):
    answer = as_user(api, owner).get(f"{API}/maps/{private_map.slug}/claims/", {"after": "9" * 18})
    assert answer.status_code == 200
    assert answer.json() == {"results": [], "next": None}


def test_a_map_too_large_to_draw_gets_422_with_the_reason(api, private_map, owner, monkeypatch):
    from arguments.exports import dot

    monkeypatch.setattr(dot, "MAX_SVG_CLAIMS", 0)
    make_claim(private_map, "One claim too many.")
    answer = as_user(api, owner).get(f"{API}/maps/{private_map.slug}/export/svg/")
    assert answer.status_code == 422
    assert "Download the DOT or GraphML file" in answer.json()["detail"]


def test_put_replaces_every_field_and_needs_them(api, private_map, owner):
    thesis = make_claim(private_map, "A thesis.", kind="thesis")
    url = claims_url(private_map, thesis.pk)
    as_user(api, owner)
    incomplete = api.put(url, {"kind": "thesis"}, format="json", HTTP_IF_MATCH='"1"')
    assert incomplete.status_code == 400
    assert incomplete.json() == {"text": ["A claim needs some words."]}
    replaced = api.put(url, {"text": "Now a plain claim."}, format="json", HTTP_IF_MATCH='"1"')
    assert replaced.status_code == 200
    assert (replaced.json()["text"], replaced.json()["kind"]) == ("Now a plain claim.", "claim")
    assert api.put(url, {"text": "Again."}, format="json").status_code == 428


def test_an_export_may_be_asked_for_by_its_own_type(api, private_map, owner):
    answer = as_user(api, owner).get(f"{API}/maps/{private_map.slug}/export/csv/", HTTP_ACCEPT="application/zip")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"


def test_polling_events_gets_304_until_something_changes(api, private_map, owner, django_assert_num_queries):
    as_user(api, owner)
    url = f"{API}/maps/{private_map.slug}/events/"
    last = api.get(url).json()["results"][-1]["id"]
    first = api.get(url, {"after": last})
    assert first.json()["results"] == []
    with django_assert_num_queries(1):  # the map with the caller's role; the log is not read
        unchanged = api.get(url, {"after": last}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    make_claim(private_map, "News.", actor=owner)
    changed = api.get(url, {"after": last}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert [e["payload"] for e in changed.json()["results"]] == [{"text": "News."}]
    assert changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("person", ["viewer", "annotator", "owner"])
def test_a_method_an_endpoint_does_not_answer_is_405_whatever_the_role(api, private_map, person, request):
    as_user(api, request.getfixturevalue(person))
    member = Membership.objects.filter(map=private_map).first()
    assert api.delete(f"{API}/maps/{private_map.slug}/").status_code == 405
    assert api.put(f"{API}/maps/{private_map.slug}/members/{member.pk}/", {}, format="json").status_code == 405
