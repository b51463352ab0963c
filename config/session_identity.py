"""Whose session a request carries, decided from a session row and a user row that a page fetched itself.

Django finds the signed-in user with two ORM queries (the session, then the user), and compiling
them cost more than half of the reader's `304 Not Modified` (bench/reader.py). The reader instead
fetches both rows in the same statement as the page (arguments/reader_query.py). To do that it must
know which user row to fetch before the session is decoded, so each process remembers, per session
key, the user Django found for it last time: a guess that `verify` then checks exactly as
django.contrib.auth.get_user would, from the rows:

- the session row exists and has not expired (the statement's join asks for that);
- it names that user, through a backend listed in AUTHENTICATION_BACKENDS that looks users up as
  ModelBackend does (by primary key, refusing those who may not authenticate, e.g. inactive);
- its session hash equals the user's current one (a changed password signs every session out).

Only this plain case is decided here. Anything else (no guess yet, a guess that turned out wrong, a
hash made with a fallback secret key, which Django rotates) gives None, and the caller asks Django
the ordinary way; a wrong guess therefore costs time, never a wrong user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare

DB_ENGINE = "django.contrib.sessions.backends.db"
REMEMBERED_SESSIONS = 20_000  # per process; past this the memory is simply started again

_users_by_session: dict[str, int] = {}
_verdicts: dict[tuple, bool] = {}  # see verify_row


def enabled() -> bool:
    """Only database sessions have a row that a statement can join."""
    return settings.SESSION_ENGINE == DB_ENGINE


def session_key(request) -> str | None:
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None


def guess(request) -> tuple[str, int] | None:
    """(session key, the user id Django found for it before in this process), if there is one to check."""
    key = session_key(request)
    if key is None or not enabled():
        return None
    user_id = _users_by_session.get(key)
    return None if user_id is None else (key, user_id)


def remember(request) -> None:
    """Note whom Django found for this request's session, for `guess` on the session's next request."""
    key = session_key(request)
    user = request.user
    if key is None or not user.is_authenticated or not enabled() or request.session.session_key != key:
        return
    if len(_users_by_session) >= REMEMBERED_SESSIONS:
        _users_by_session.clear()
    _users_by_session[key] = user.pk


def forget_all() -> None:
    """Tests start from a process that has remembered nothing."""
    _users_by_session.clear()
    _verdicts.clear()


@lru_cache(maxsize=1)
def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


@lru_cache(maxsize=4096)
def _claims(session_data: str) -> tuple[str, str, str] | None:
    """(user id, backend path, session hash) that the session's data names, or None.

    Decoding checks the data's signature; the answer depends on nothing but the data (and the
    process's secret key), so it is kept. None also when the session holds messages waiting to be
    shown: pages must then be rendered, so they take the ordinary way.
    """
    data = _store_class()().decode(session_data)
    if "_messages" in data:
        return None
    try:
        return data[SESSION_KEY], data[BACKEND_SESSION_KEY], data.get(HASH_SESSION_KEY) or ""
    except KeyError:
        return None


def _model_backend(backend_path: str) -> ModelBackend | None:
    """The backend, if it is listed and finds users as ModelBackend does (by primary key)."""
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    return _plain_model_backend(backend_path)


@lru_cache(maxsize=16)
def _plain_model_backend(backend_path: str) -> ModelBackend | None:
    backend = load_backend(backend_path)
    plain = isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user
    return backend if plain else None


def verify(session_data: str | None, user, guessed_id: int):
    """The user, if the session row's data names exactly this user row as signed in; None otherwise."""
    if session_data is None or user is None or user.pk != guessed_id:
        return None
    claims = _claims(session_data)
    if claims is None:
        return None
    user_id, backend_path, session_hash = claims
    try:
        if get_user_model()._meta.pk.to_python(user_id) != user.pk:
            return None
    except ValidationError:
        return None
    backend = _model_backend(backend_path)
    if backend is None or not backend.user_can_authenticate(user):
        return None
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


def verify_row(session_data: str | None, user_values: tuple, guessed_id: int, load_user: Callable[[], object]) -> bool:
    """Whether `verify` accepts the session row's data and this user row, given as the statement read them.

    `verify` depends on nothing but the session's data, every column of the user row, the guess and
    the settings it reads, so its verdict is kept under exactly those: the same rows are not decoded
    and hashed again on the session's every request, and any change to either row (a new password, a
    deactivated account, a session signed in anew) is a new question. `load_user` makes the user
    row into an object, which only a new question needs.
    """
    key = (session_data, user_values, guessed_id, settings.SECRET_KEY, tuple(settings.AUTHENTICATION_BACKENDS))
    verdict = _verdicts.get(key)
    if verdict is None:
        verdict = verify(session_data, load_user(), guessed_id) is not None
        if len(_verdicts) >= REMEMBERED_SESSIONS:
            _verdicts.clear()
        _verdicts[key] = verdict
    return verdict
