"""What accounts need besides Django's own tables: whose sessions are whose, and rate-limit counters."""

from django.conf import settings
from django.db import models


class SignedInSession(models.Model):
    """A session someone signed in with, noted so that "sign out everywhere" can find it (accounts/sessions.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    expires = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} until {self.expires:%Y-%m-%d %H:%M}"


class RateLimitCounter(models.Model):
    """One fixed window's count for one scope and client, when the counters live in the database.

    Written only by config/ratelimit.py, with one atomic INSERT … ON CONFLICT statement (see there).
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.IntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)  # seconds since the epoch, on ratelimit.clock

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
