"""With REDIS_URL, app processes share what they render: a reader layer built by one process serves another.

Two real app processes (uvicorn, tests/live_support.py) on this test's database and the Redis of
REDIS_URL. The first builds the layer of a reader page; the claim's words are then changed in the
database behind the processes' backs (no revision bump, as no real change would do), so a second
process that rebuilt the layer would show the new words, and one that took the shared layer shows the
old ones. Runs where production runs: PostgreSQL with Redis (CI sets both).
"""

import os

import pytest
from django.core.cache import cache
from django.db import connection

from arguments import services
from arguments.models import Claim, Visibility

from .factories import make_map, make_source, make_user, quote, reader_url
from .live_support import AppServer, database_url, request

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (production's shared cache)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="app processes share a PostgreSQL database"),
]


def test_a_layer_built_by_one_process_serves_another():
    owner = make_user("olga")
    argument_map = make_map(owner, visibility=Visibility.PUBLIC, title="Shared seminar")
    source = make_source("The reading", added_by=owner)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = services.create_claim(argument_map=argument_map, actor=owner, text="Words as first written")
    quote(argument_map, source, "Critics answer", claim, owner)
    url = reader_url(argument_map, source)
    cache.clear()
    env = {"REDIS_URL": os.environ["REDIS_URL"]}
    first = AppServer(database_url(connection.settings_dict), extra_env=env)
    try:
        status, _, body = request(first.port, "GET", url)
        assert status == 200 and b"Words as first written" in body
    finally:
        first.stop()
    Claim.objects.filter(pk=claim.pk).update(text="Words changed behind the processes' backs")
    second = AppServer(database_url(connection.settings_dict), extra_env=env)
    try:
        status, _, body = request(second.port, "GET", url)
    finally:
        second.stop()
    assert status == 200
    assert b"Words as first written" in body and b"behind the processes' backs" not in body
