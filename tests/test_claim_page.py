"""The claim page: relations, evidence, discussion and history, for every role."""

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Comment, Event

from .factories import make_claim
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

READ = {"owner": 200, "editor": 200, "annotator": 200, "viewer": 200, "outsider": 404, "anonymous": 404}
COMMENT = {"owner": 302, "editor": 302, "annotator": 302, "viewer": 403, "outsider": 404, "anonymous": 404}


@pytest.fixture
def people(owner, editor, annotator, viewer, outsider):
    return {"owner": owner, "editor": editor, "annotator": annotator, "viewer": viewer, "outsider": outsider}


@pytest.fixture
def claim(private_map, owner):
    source = private_map.sources.get()
    thesis = make_claim(private_map, "Coalitions should act when the Council is stuck.", kind="thesis", actor=owner)
    pro = make_claim(private_map, "They are fast.", actor=owner)
    con = make_claim(private_map, "They lack accountability.", actor=owner)
    services.create_relation(argument_map=private_map, actor=owner, from_claim=pro, to_claim=thesis, kind="supports")
    services.create_relation(argument_map=private_map, actor=owner, from_claim=con, to_claim=thesis, kind="opposes")
    services.add_evidence(
        argument_map=private_map, actor=owner, source=source, start=0, end=30, claim=thesis, stance="states"
    )
    return thesis


def url(claim, name="arguments:claim"):
    return reverse(name, args=[claim.map.slug, claim.pk])


def login(client, people, who):
    if who != "anonymous":
        client.force_login(people[who])


@pytest.mark.parametrize("who", READ)
def test_claim_page_for_every_role(client, people, claim, who):
    login(client, people, who)
    response = client.get(url(claim))
    assert response.status_code == READ[who]
    if response.status_code == 200:
        page = response.content.decode()
        for text in [
            "Coalitions should act",
            "They are fast.",
            "They lack accountability.",
            "Coalitions of the willing act",
        ]:
            assert text in page
        assert "olga added the claim" in page  # history in plain words
        assert ('name="body"' in page) == (who in ("owner", "editor", "annotator"))


@pytest.mark.parametrize("who", COMMENT)
def test_who_may_comment(client, people, claim, who):
    login(client, people, who)
    response = client.post(url(claim, "arguments:claim_comment"), {"body": "A *fair* point."})
    assert response.status_code == COMMENT[who]
    assert Comment.objects.exists() == (COMMENT[who] == 302)


def test_comments_are_sanitised_markdown(client, annotator, claim):
    client.force_login(annotator)
    body = "**Strong** words <script>alert(1)</script> [link](javascript:alert(2)) [ok](https://example.org)"
    client.post(url(claim, "arguments:claim_comment"), {"body": body})
    page = client.get(url(claim)).content.decode()
    assert "<strong>Strong</strong>" in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page  # left as inert text, never a link
    assert 'href="https://example.org"' in page


def test_an_imported_comment_shows_its_authors_name_escaped(client, annotator, claim):
    Comment.objects.create(claim=claim, author_name="<b>Ana</b> (AIFdb)", body="Imported remark.")
    client.force_login(annotator)
    page = client.get(url(claim)).content.decode()
    assert "<strong>&lt;b&gt;Ana&lt;/b&gt; (AIFdb)</strong>" in page
    assert "Reply to &lt;b&gt;Ana&lt;/b&gt; (AIFdb)" in page


def test_htmx_comment_returns_only_the_discussion_with_replies_threaded(client, annotator, claim):
    client.force_login(annotator)
    client.post(url(claim, "arguments:claim_comment"), {"body": "First."})
    parent = Comment.objects.get()
    response = client.post(
        url(claim, "arguments:claim_comment"), {"body": "A reply.", "parent": parent.pk}, HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<section id="discussion"')
    assert "<html" not in fragment
    assert 'class="comment depth-1"' in fragment and "A reply." in fragment
    assert Event.objects.filter(object_type="comment").count() == 2


def test_an_empty_comment_is_refused_beside_the_field(client, annotator, claim):
    client.force_login(annotator)
    response = client.post(url(claim, "arguments:claim_comment"), {"body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Comment.objects.exists()


def test_annotators_edit_their_own_claims_only(client, annotator, private_map, claim):
    client.force_login(annotator)
    assert client.get(url(claim, "arguments:claim_edit")).status_code == 403
    mine = make_claim(private_map, "Mine.", actor=annotator)
    response = client.post(url(mine, "arguments:claim_edit"), {"text": "Mine, better.", "kind": "claim", "version": 1})
    assert response.status_code == 302
    assert Claim.objects.get(pk=mine.pk).text == "Mine, better."


@pytest.mark.parametrize("who,status", [("viewer", 403), ("outsider", 404)])
def test_viewers_and_outsiders_cannot_edit(client, people, claim, who, status):
    client.force_login(people[who])
    response = client.post(url(claim, "arguments:claim_edit"), {"text": "Hijacked", "kind": "claim", "version": 1})
    assert response.status_code == status
    assert Claim.objects.get(pk=claim.pk).text != "Hijacked"


def test_a_stale_edit_shows_the_other_change_and_offers_to_reapply(client, editor, owner, claim):
    services.update_claim(claim=claim, actor=owner, text="Owner's wording.", kind="thesis", expected_version=1)
    client.force_login(editor)
    response = client.post(
        url(claim, "arguments:claim_edit"), {"text": "Editor's wording.", "kind": "thesis", "version": 1}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this claim" in page and "Owner&#x27;s wording." in page
    assert 'name="version" value="2"' in page and "Editor&#x27;s wording." in page
    assert Claim.objects.get(pk=claim.pk).text == "Owner's wording."
    again = client.post(
        url(claim, "arguments:claim_edit"), {"text": "Editor's wording.", "kind": "thesis", "version": 2}
    )
    assert again.status_code == 302
    assert Claim.objects.get(pk=claim.pk).text == "Editor's wording."


def thesis_of(argument_map):
    return argument_map.claims.get(kind="thesis")


def test_claim_page_query_count_does_not_grow_with_the_map(client, owner):
    def comment(argument_map) -> None:
        thesis = thesis_of(argument_map)
        for i, child in enumerate(argument_map.claims.exclude(pk=thesis.pk)[:3]):
            services.add_comment(claim=thesis, actor=owner, body=f"Comment {i} on {child.pk}")

    queries_at_two_sizes(client, owner, lambda m: url(thesis_of(m)), prepare=comment, exactly=9)


def test_evaluation_is_shown_and_follows_the_attacks(client, owner, private_map, claim):
    """The thesis faces an unanswered objection: challenged, with the objection named and linked.
    Answer the objection and the thesis holds again."""
    client.force_login(owner)
    page = client.get(url(claim)).content.decode()
    assert '<span class="standing challenged"' in page
    assert "Challenged: “They lack accountability.” stands unanswered." in page
    objection = Claim.objects.get(text="They lack accountability.")
    assert reverse("arguments:claim_focus", args=[private_map.slug, objection.pk]) in page
    services.add_response(argument_map=private_map, actor=owner, parent=objection, text="Audits exist.", kind="opposes")
    page = client.get(url(claim)).content.decode()
    assert '<span class="standing holds"' in page and "Holds: its only objection has been answered." in page
    outline = client.get(f"{private_map.get_absolute_url()}?open=all").content.decode()
    assert outline.count('<span class="standing ') == 4 + 4  # every claim carries its standing, plus the legend


# ---- deleting a claim ---------------------------------------------------------------------------

DELETE = {"owner": 200, "editor": 200, "annotator": 403, "viewer": 403, "outsider": 404, "anonymous": 404}


@pytest.mark.parametrize("who", DELETE)
def test_who_may_open_the_delete_confirmation(client, people, claim, who):
    login(client, people, who)
    assert client.get(url(claim, "arguments:claim_delete")).status_code == DELETE[who]


def test_the_confirmation_says_what_goes_and_deleting_takes_it(client, editor, owner, claim):
    services.add_comment(claim=claim, actor=owner, body="Is this the right wording?")
    client.force_login(editor)
    assert "Delete claim…" in client.get(url(claim)).content.decode()
    page = client.get(url(claim, "arguments:claim_delete")).content.decode()
    assert "<strong>2</strong> links to other claims" in page
    assert "<strong>1</strong> piece of evidence" in page and "<strong>1</strong> comment in" in page
    assert "<strong>1</strong> passage quoted nowhere else" in page and "Coalitions of the willing act" in page
    assert Claim.objects.filter(map=claim.map).count() == 3

    response = client.post(url(claim, "arguments:claim_delete"), {"version": claim.version})
    assert response["Location"] == claim.map.get_absolute_url()
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert Claim.objects.filter(map=claim.map).count() == 2, "the linked claims stay"
    event = Event.objects.filter(map=claim.map, verb="deleted", object_type="claim").get()
    assert event.payload["relations"] == 2 and event.payload["evidence"] == 1 and event.payload["comments"] == 1
    assert not Comment.objects.filter(claim_id=claim.pk).exists()


def test_a_stale_delete_is_refused_and_shows_the_new_text(client, editor, owner, claim):
    client.force_login(editor)
    stale = claim.version
    services.update_claim(claim=claim, actor=owner, text="Reworded by Olga.", kind="thesis", expected_version=stale)
    page = client.post(url(claim, "arguments:claim_delete"), {"version": stale})
    assert page.status_code == 200
    assert "Someone else changed this claim" in page.content.decode() and "Reworded by Olga." in page.content.decode()
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert f'value="{stale + 1}"' in page.content.decode(), "confirming again deletes the version now shown"
    client.post(url(claim, "arguments:claim_delete"), {"version": stale + 1})
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_annotators_delete_their_own_claim_while_nothing_of_others_hangs_on_it(client, annotator, owner, private_map):
    mine = make_claim(private_map, "My own idea.", actor=annotator)
    client.force_login(annotator)
    assert "Delete claim…" in client.get(url(mine)).content.decode()
    services.add_comment(claim=mine, actor=owner, body="I disagree.")
    assert "Delete claim…" not in client.get(url(mine)).content.decode()
    assert client.post(url(mine, "arguments:claim_delete"), {"version": mine.version}).status_code == 403
    Comment.objects.filter(claim=mine).delete()
    assert client.post(url(mine, "arguments:claim_delete"), {"version": mine.version}).status_code == 302
    assert not Claim.objects.filter(pk=mine.pk).exists()


def test_deleting_needs_a_post_with_the_version(client, editor, claim):
    client.force_login(editor)
    assert client.put(url(claim, "arguments:claim_delete")).status_code == 405
    page = client.post(url(claim, "arguments:claim_delete"), {})
    assert page.status_code == 200 and Claim.objects.filter(pk=claim.pk).exists()


def test_delete_confirmation_query_count_does_not_grow_with_what_goes(client, owner):
    def more_that_goes(argument_map) -> None:
        thesis = thesis_of(argument_map)
        for i in range(argument_map.claims.count()):
            services.add_comment(claim=thesis, actor=owner, body=f"Comment {i}")
            services.add_response(
                argument_map=argument_map, actor=owner, parent=thesis, text=f"Reply {i}", kind="opposes"
            )

    client.force_login(owner)
    url_of = lambda m: url(thesis_of(m), "arguments:claim_delete")  # noqa: E731
    queries_at_two_sizes(client, owner, url_of, prepare=more_that_goes, sizes=(2, 20), exactly=7)
