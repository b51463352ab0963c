"""Which sources a user may read in the library.

A source's readers are decided by the maps that use it, and `sources` knows nothing about maps.
So the rule is looked up by name from settings (WARRANT_SOURCE_ACCESS), which the `arguments`
app provides; without it, only a source's uploader and staff may read it.
"""

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from .models import Source, SourceQuerySet


def readable_sources(user) -> SourceQuerySet:
    rule = getattr(settings, "WARRANT_SOURCE_ACCESS", "")
    if rule:
        return import_string(rule)(user)
    if not user.is_authenticated:
        return Source.objects.none()
    if user.is_staff:
        return Source.objects.all()
    return Source.objects.filter(Q(added_by=user))


def editable_sources(user) -> SourceQuerySet:
    """Sources whose bibliographic data a user may change: the rule is the `arguments` app's
    (WARRANT_SOURCE_EDIT_ACCESS); without it, a source's uploader and staff."""
    rule = getattr(settings, "WARRANT_SOURCE_EDIT_ACCESS", "")
    if rule:
        return import_string(rule)(user)
    if not user.is_authenticated:
        return Source.objects.none()
    if user.is_staff:
        return Source.objects.all()
    return Source.objects.filter(added_by=user)
