"""Shared fixtures: the personas every access test walks through."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hashers

from arguments import services
from arguments.models import Visibility

from .factories import make_map, make_source, make_user


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Real password hashing would dominate the suite's run time; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()


@pytest.fixture
def owner(db):
    return make_user("olga")


@pytest.fixture
def editor(db):
    return make_user("eddie")


@pytest.fixture
def annotator(db):
    return make_user("anna")


@pytest.fixture
def viewer(db):
    return make_user("vic")


@pytest.fixture
def outsider(db):
    return make_user("otto")


@pytest.fixture
def private_map(owner, editor, annotator, viewer):
    argument_map = make_map(owner, editor=editor, annotator=annotator, viewer=viewer, title="Private seminar")
    services.add_source(argument_map=argument_map, source=make_source("A private source", added_by=owner), actor=owner)
    return argument_map


@pytest.fixture
def public_map(owner, editor, annotator, viewer):
    return make_map(
        owner, editor=editor, annotator=annotator, viewer=viewer, visibility=Visibility.PUBLIC, title="Open seminar"
    )
