"""Citations in templates, in a map's style: {{ source|short_citation:map.citation_style }}.

Without a style (the library, which belongs to no map) the default style is used.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def short_citation(source, style: str = "") -> str:
    return source.citation(style or None).short


@register.filter
def full_citation(source, style: str = "") -> str:
    return source.citation(style or None).entry


@register.filter
def citation_html(source, style: str = "") -> str:
    # citeproc's HTML formatter escapes every field's text and adds only <i>, <b> and the like.
    return mark_safe(source.citation(style or None).entry_html)  # noqa: S308
