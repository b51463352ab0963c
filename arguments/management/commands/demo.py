import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from arguments.demo import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo map on multilateralism and coalitions of the willing, with four demo users."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("WARRANT_DEMO_PASSWORD", ""),
            help="Password for the demo users (default: $WARRANT_DEMO_PASSWORD, else a random one).",
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (creates known users).")

    def handle(self, *args, password: str, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo users with known passwords are not for production. Use --force.")
        result = load_demo(password=password or None)
        m = result.map
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo map “{m.title}” at /maps/{m.slug}/"))
        else:
            self.stdout.write(f"The demo map “{m.title}” is already loaded; nothing changed.")
        self.stdout.write(
            f"{m.claims.count()} claims, {m.relations.count()} relations, {m.evidence.count()} evidence links, "
            f"{m.sources.count()} sources."
        )
        self.stdout.write("Demo users: " + ", ".join(f"{name} ({role})" for name, role in DEMO_USERS.items()))
        if result.password:
            self.stdout.write(f"Demo password: {result.password}")
        else:
            self.stdout.write("Demo passwords were left as they were (pass --password to set them).")
