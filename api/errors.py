"""Every error under /api/ answers JSON, `{"detail": "…"}`, whatever raised it.

Error answers come from two places. Inside DRF's views, `exception_handler` (REST_FRAMEWORK's
EXCEPTION_HANDLER) answers what DRF itself answers for its own exceptions, and JSON for the rest
instead of letting them become Django's HTML 500 page. Outside them (a URL that matches no endpoint,
an exception raised in middleware), Django calls the root URLconf's handler400/403/404/500, which
are the functions below: JSON for paths under /api/, Django's own pages (the templates 400.html …
500.html) elsewhere.

A database that does not answer (OperationalError, InterfaceError: connection refused, server gone,
SQLite locked past its timeout) is 503 Service Unavailable with Retry-After rather than 500: the
same request may well succeed a moment later, and clients and load balancers know to retry a 503.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.log import log_response
from django.views import defaults
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("django.request")

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
UNAVAILABLE = "The database is not answering just now; nothing was saved. Please try again in a few seconds."
SERVER_ERROR = "Something went wrong on the server while answering this request. It has been logged."
NOT_FOUND = "Nothing here. The API's endpoints are listed at /api/docs/."


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _json(detail: str, status: int) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _answer_for(exc: BaseException | None) -> JsonResponse:
    if isinstance(exc, DATABASE_DOWN):
        return _json(UNAVAILABLE, 503)
    return _json(SERVER_ERROR, 500)


def exception_handler(exc: Exception, context: dict) -> HttpResponse:
    """DRF's answer for its own exceptions (validation, 401, 403, 404, 405, 429 …); JSON for any other."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    set_rollback()
    response = _answer_for(exc)
    request = context.get("request")
    # Logged here with its traceback, as Django would have; Django then sees it was logged already.
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path if request is not None else "?",
        response=response,
        request=getattr(request, "_request", None),
        exception=exc,
    )
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json("This request could not be understood.", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json(str(exception) or "You do not have permission to perform this action.", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json(NOT_FOUND, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its `except` block (and has logged the error), so sys.exc_info() holds it."""
    if is_api(request):
        return _answer_for(sys.exc_info()[1])
    return defaults.server_error(request)
