"""API list endpoints against a trivial view, and the values() rows against a ModelSerializer.

Builds, in a throwaway SQLite database (SQLITE_PATH, default /tmp/warrant-bench-api.sqlite3, deleted
and migrated first), a map with 1,000 claims, each supporting or opposing an earlier one and quoting
a passage. Then times, with DRF's test client and a token (as a script would call), best of a few runs:

- trivial: GET /healthz (one database round trip);
- a page of 500 claims, relations, evidence and events (the largest page);
- the same 500 claims rendered by a DRF ModelSerializer instead of values() rows of the same
  serializer fields, for comparison (what the API chose not to do).

Each is printed as a ratio to the trivial view timed in the same run.

Run: .venv/bin/python bench/api_lists.py [--runs N] [--profile]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from timing import best  # bench/timing.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/warrant-bench-api.sqlite3"))
os.environ["SQLITE_PATH"] = str(DB_PATH)
os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a shared database
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ.setdefault("WARRANT_RATE_LIMIT_WRITE", "off")

CLAIMS = 1_000
PAGE = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile a 10-row page instead of timing")
    args = parser.parse_args()
    runs = args.runs

    DB_PATH.unlink(missing_ok=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from rest_framework import serializers
    from rest_framework.authtoken.models import Token
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIClient

    from arguments import services
    from arguments.models import Claim
    from tests.factories import grow_map, make_source, make_user

    owner = make_user("olga")
    argument_map = services.create_map(owner=owner, title="Bench", question="Should states act in coalitions?")
    text = " ".join(f"Sentence number {n} says something about coalitions." for n in range(2_000))
    source = make_source("Bench source", text=text, added_by=owner)
    print(f"building a map of {CLAIMS:,} claims…", flush=True)
    grow_map(argument_map, source, claims=CLAIMS, actor=owner)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    base = f"/api/v1/maps/{argument_map.slug}/"

    def get(url: str):
        def call():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return call

    class ClaimModelSerializer(serializers.ModelSerializer):
        created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

        class Meta:
            model = Claim
            fields = ["id", "kind", "text", "version", "created_by", "created", "updated"]

    def model_serializer():
        claims = Claim.objects.filter(map=argument_map).select_related("created_by").order_by("id")[:PAGE]
        JSONRenderer().render({"results": ClaimModelSerializer(claims, many=True).data, "next": None})

    trivial, _ = best(get("/healthz"), runs * 3)
    print(f"trivial view: {trivial * 1000:.2f} ms")
    rows = [
        (f"claims, {PAGE} rows", get(f"{base}claims/?limit={PAGE}")),
        (f"relations, {PAGE} rows", get(f"{base}relations/?limit={PAGE}")),
        (f"evidence, {PAGE} rows", get(f"{base}evidence/?limit={PAGE}")),
        (f"events, {PAGE} rows", get(f"{base}events/?limit={PAGE}")),
        ("claims, 10 rows", get(f"{base}claims/?limit=10")),
        ("one claim", get(f"{base}claims/{Claim.objects.filter(map=argument_map).last().pk}/")),
        (f"claims by ModelSerializer, {PAGE} rows (serialising only)", model_serializer),
    ]
    if args.profile:
        import cProfile
        import pstats

        fn = get(f"{base}claims/?limit=10")
        fn()
        cProfile.runctx("for _ in range(20): fn()", globals(), {"fn": fn}, "/tmp/api.prof")
        pstats.Stats("/tmp/api.prof").sort_stats("cumulative").print_stats(25)
        return
    for name, fn in rows:
        elapsed, _ = best(fn, runs)
        print(f"{name:<58} {elapsed * 1000:8.2f} ms  {elapsed / trivial:6.1f}x trivial")


if __name__ == "__main__":
    main()
