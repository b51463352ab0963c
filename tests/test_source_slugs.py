"""Two uploads with one title at the same moment: both succeed, with distinct slugs."""

import threading

import pytest
from django.db import IntegrityError, connection

from sources import models
from sources.models import Source

from .factories import make_source


def upload_twice_at_once(monkeypatch) -> list[Exception]:
    """Two uploads titled alike, held between choosing a free slug and inserting it."""
    barrier = threading.Barrier(2)
    first_choice = threading.local()
    choose = Source._unique_slug

    def choose_then_wait(self):
        slug = choose(self)
        if not getattr(first_choice, "made", False):
            first_choice.made = True
            barrier.wait(timeout=10)
        return slug

    monkeypatch.setattr(Source, "_unique_slug", choose_then_wait)
    errors = []

    def upload():
        try:
            make_source("Coalitions of the willing")
        except Exception as error:  # reported to the test; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_with_one_title_get_distinct_slugs(monkeypatch):
    assert upload_twice_at_once(monkeypatch) == []
    slugs = sorted(Source.objects.values_list("slug", flat=True))
    assert slugs == ["coalitions-of-the-willing", "coalitions-of-the-willing-2"]


@pytest.mark.django_db(transaction=True)
def test_without_a_retry_the_race_is_real(monkeypatch):
    # Shows the first test exercises a real collision: with one attempt, the loser fails.
    monkeypatch.setattr(models, "SLUG_ATTEMPTS", 1)
    errors = upload_twice_at_once(monkeypatch)
    assert [type(error) for error in errors] == [IntegrityError]
    assert Source.objects.count() == 1
