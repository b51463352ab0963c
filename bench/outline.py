"""The map page (the outline) and the graph page, on the demo map and on a 1,000-claim map, against a trivial view.

Builds a throwaway SQLite database (SQLITE_PATH, default /tmp/warrant-bench-outline.sqlite3, deleted and
migrated first) holding the demo map and a map grown to 1,000 claims (tests/factories.py grow_map: a
thesis tree, three responses per claim, each claim with one quote). Then times, with Django's test
client logged in as the maps' owner and the settings production uses (DEBUG off), best of several runs
timed in blocks alternating with GET /healthz (bench/timing.py best_against):

- the map page (theses and their first level; deeper levels come on demand);
- one deeper level, as fetched when a reader opens a claim;
- the focus view of a thesis;
- the graph page.

Aims (issue #16): the demo map page at most 20x the trivial view, the 1,000-claim one at most 40x.
With --browser it also loads each map page in headless Chromium (Debian's /usr/bin/chromium through
Playwright, against `manage.py runserver` on this database) and prints the time to the load event:
aims 0.5 s for the demo and 1 s at 1,000 claims.

Run: .venv/bin/python bench/outline.py [--runs N] [--browser]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/warrant-bench-outline.sqlite3"))
os.environ["SQLITE_PATH"] = str(DB_PATH)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-key-for-a-throwaway-database")
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

AIMS = {"demo": 20.0, "1,000 claims": 40.0}
BROWSER_AIMS = {"demo": 0.5, "1,000 claims": 1.0}


def setup():
    import django
    from django.core.management import call_command

    DB_PATH.unlink(missing_ok=True)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: pages name files by the manifest
    call_command("demo", "--force", verbosity=0)
    from django.contrib.auth.models import User

    from arguments import services
    from arguments.models import ArgumentMap
    from tests.factories import grow_map

    owner = User.objects.get(username="demo-owner")
    demo = ArgumentMap.objects.get(slug="coalitions-of-the-willing")
    big = services.create_map(
        owner=owner, title="A thousand claims", question="Is it so?", description="", visibility="private"
    )
    grow_map(big, demo.sources.first(), claims=1_000, actor=owner)
    return owner, {"demo": demo, "1,000 claims": big}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    owner, maps = setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from timing import best_against

    from arguments.models import Claim, ClaimKind

    setup_test_environment()
    client = Client()
    client.force_login(owner)

    def trivial():
        return client.get("/healthz")

    print(f"{'map':<14} {'page':<22} {'ms':>8} {'x trivial':>10} {'KB':>7}  aim")
    for name, argument_map in maps.items():
        base = argument_map.get_absolute_url()
        thesis = Claim.objects.filter(map=argument_map, kind=ClaimKind.THESIS).order_by("id").first()
        first = Claim.objects.filter(map=argument_map, outgoing__to_claim=thesis).order_by("id").first()
        pages = {
            "map page": base,
            "one level opened": f"{base}outline/{first.pk}/",
            "focus on a thesis": f"{base}claims/{thesis.pk}/focus/",
            "graph page": f"{base}graph/",
        }
        for label, url in pages.items():
            # A level of the outline is an htmx fragment; a plain visit is redirected to the page.
            headers = {"HX-Request": "true"} if label == "one level opened" else {}
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)
            seconds, baseline, response = best_against(
                lambda url=url, headers=headers: client.get(url, headers=headers), trivial, args.runs
            )
            ratio = seconds / baseline
            aim = f"<= {AIMS[name]:.0f}x {'met' if ratio <= AIMS[name] else 'MISSED'}" if label == "map page" else ""
            print(
                f"{name:<14} {label:<22} {seconds * 1000:8.2f} {ratio:10.1f} {len(response.content) / 1024:7.1f}  {aim}"
            )
    if args.browser:
        browser(maps)


def browser(maps) -> None:
    from playwright.sync_api import sync_playwright

    env = dict(os.environ, DEBUG="0")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", "127.0.0.1:8765"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
            )
            page = chromium.new_page(viewport={"width": 1366, "height": 900})
            page.goto("http://127.0.0.1:8765/accounts/login/")
            page.fill("#id_username", "demo-owner")
            page.fill("#id_password", os.environ.get("WARRANT_DEMO_PASSWORD", "warrant-demo"))
            page.click("button[type=submit]")
            for name, argument_map in maps.items():
                url = f"http://127.0.0.1:8765{argument_map.get_absolute_url()}"
                page.goto(url)  # warm: static files cached as a returning reader has them
                times = []
                for _ in range(5):
                    start = time.perf_counter()
                    page.goto(url, wait_until="load")
                    times.append(time.perf_counter() - start)
                height = page.evaluate("document.documentElement.scrollHeight")
                best = min(times)
                verdict = "met" if best <= BROWSER_AIMS[name] else "MISSED"
                print(
                    f"Chromium {name:<14} load {best:.3f} s "
                    f"(aim {BROWSER_AIMS[name]} s {verdict}), page {height} px tall"
                )
            chromium.close()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
