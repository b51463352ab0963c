"""`Idempotency-Key` on creates: a client that lost an answer sends the same request again and gets the
first answer back, and nothing is made twice.

The key is stored in the transaction of the create, before it runs, under a unique (user, key) index:
a concurrent request with the same key waits on that index and then replays the committed answer; a
create that fails rolls its key back with it, so the retry runs afresh. Keys last IDEMPOTENCY_TTL.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from .models import IdempotencyKey

IDEMPOTENCY_TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Optional: a unique string of your choice (a UUID, say). Sending the same request again with it "
        "within 24 hours makes nothing twice and answers what the first one answered."
    ),
)


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was already used for a different request (another path or body); "
        "use a new key for a new request."
    )


def idempotent(create):
    """Decorates a view's create handler (`create(self, request, …)`) to honour Idempotency-Key."""

    @functools.wraps(create)
    def handler(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return create(view, request, *args, **kwargs)
        if not KEY.match(key):
            raise exceptions.ValidationError({HEADER: ["Give at most 200 visible ASCII characters, e.g. a UUID."]})
        digest = request_digest(request)
        with transaction.atomic():
            # Expired keys go as new ones come (an index on `created` keeps this cheap).
            IdempotencyKey.objects.filter(created__lt=timezone.now() - IDEMPOTENCY_TTL).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(user=request.user, key=key, request_digest=digest)
            except IntegrityError:
                return replay(IdempotencyKey.objects.get(user=request.user, key=key), digest)
            response = create(view, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)  # the key goes with the failed create: a retry runs again
                return response
            record.status, record.body, record.etag = response.status_code, response.data, response.get("ETag", "")
            record.save(update_fields=["status", "body", "etag"])
        return response

    return handler


def replay(record: IdempotencyKey, digest: str) -> Response:
    if record.request_digest != digest:
        raise KeyReused()
    headers = {"Idempotent-Replayed": "true"}
    if record.etag:
        headers["ETag"] = record.etag
    return Response(record.body, status=record.status, headers=headers)


def request_digest(request: Request) -> str:
    """The method, path and parsed body (uploaded files by their content), as one sha256."""
    data = request.data
    body = sorted(data.lists()) if isinstance(data, QueryDict) else data
    text = json.dumps([request.method, request.path, body], sort_keys=True, default=_file_digest)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(value) -> str:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"{value.name}:{digest.hexdigest()}"
    return str(value)
