"""What the API keeps of its own: the answers to creates sent with an Idempotency-Key (api/idempotency.py)."""

from django.conf import settings
from django.db import models
from rest_framework.utils.encoders import JSONEncoder


class IdempotencyKey(models.Model):
    """A create sent with `Idempotency-Key`: what was asked (a digest) and what was answered, kept for a day.

    Written in the transaction of the create itself, so a key never exists without its change.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64, help_text="sha256 of the method, path and body.")
    status = models.PositiveSmallIntegerField(null=True)
    # DRF's encoder, as the JSON renderer uses: a replayed body is the first one to the letter.
    body = models.JSONField(encoder=JSONEncoder, null=True)
    etag = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
