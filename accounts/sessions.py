"""Which sessions each person is signed in with, so that all of them can be ended at once.

Django's session table does not say whose a session is: the user id sits inside the signed session
data. Reusable apps that list and end a user's sessions (django-user-sessions, django-qsessions)
replace Django's session engine and its model with their own, which have a user column. Warrant keeps
Django's engine (config/session_identity.py reads its table in the reader's own query), so instead it
notes each signed-in session's key in a small table of its own, `SignedInSession`, and ends sessions
through the engine's own `SessionStore.delete`: that removes the database row and, with the cached_db
engine, the cached copy too (the signed_cookies engine keeps nothing on the server and cannot be
ended this way).

A key is noted whenever a signed-in request leaves with a session key it did not arrive with: at
sign-in, and when Django gives a signed-in session a new key to keep it signed in after its password
changed (update_session_auth_hash, called by the password-change page and the admin). The
user_logged_in signal alone would miss the second case. Sessions begun before this table existed
are not in it; they end on the next change of password.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import SignedInSession


def record(user, session, *, replacing: str | None = None) -> None:
    """Note that `session` is signed in as `user`, forgetting the key it replaced (Django deleted that
    session when it gave out the new key) and this user's sessions that have expired."""
    gone = Q(user=user, expires__lt=timezone.now())
    if replacing:
        gone |= Q(session_key=replacing)
    SignedInSession.objects.filter(gone).delete()
    SignedInSession.objects.update_or_create(
        session_key=session.session_key, defaults={"user": user, "expires": session.get_expiry_date()}
    )


def count(user) -> int:
    return SignedInSession.objects.filter(user=user, expires__gte=timezone.now()).count()


def end_all(user) -> int:
    """End every session `user` is signed in with, through the session engine; how many were noted."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    SignedInSession.objects.filter(user=user, session_key__in=keys).delete()
    return len(keys)


class RecordSignedInSessionsMiddleware:
    """Notes the key of every signed-in session that is new or renewed in this request (see the module)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        arrived_with = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        response = self.get_response(request)
        # Comparing keys first keeps this free for the ordinary request: the user is looked at only
        # when the key changed, and then login() or logout() has already set request.user.
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if key and key != arrived_with and request.user.is_authenticated:
            record(request.user, session, replacing=arrived_with)
        return response


@receiver(user_logged_out, dispatch_uid="accounts.forget_signed_out_session")
def forget_signed_out_session(sender, request, user, **kwargs) -> None:
    key = request.session.session_key if request is not None else None
    if key:
        SignedInSession.objects.filter(session_key=key).delete()
