from django import template

from ..activity import describe

register = template.Library()


@register.filter
def describe_event(event) -> str:
    return describe(event)
