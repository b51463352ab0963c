"""Forms that put documents into maps, shown on pages of both apps: the upload box of a map's "Add a source"
page, and "Add to a map" on a document's page in the library (templates load this by name, so the `sources`
app itself never imports `arguments`)."""

from django import template
from django.conf import settings

from arguments.views.sources import MAX_FILES, maps_to_add_to
from sources.forms import ACCEPT

register = template.Library()


@register.inclusion_tag("arguments/_map_upload.html", takes_context=True)
def map_upload_form(context, argument_map):
    return {
        "map": argument_map,
        "csrf_token": context.get("csrf_token"),
        "accept": ACCEPT,
        "max_mb": settings.WARRANT_MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_bytes": settings.WARRANT_MAX_UPLOAD_BYTES,
        "max_files": MAX_FILES,
    }


@register.inclusion_tag("arguments/_add_to_map.html", takes_context=True)
def add_to_map_form(context, source):
    user = context["request"].user
    maps, edits_maps = maps_to_add_to(user, source)
    return {
        "source": source,
        "maps": maps,
        "edits_maps": edits_maps,
        "signed_in": user.is_authenticated,
        "csrf_token": context.get("csrf_token"),
    }
