"""A number that opens the rows behind it: ``{% drill n url cls="…" testid="…" %}``.

A link to ``url`` when there is one, else plain text. Written in Python because a dashboard shows
hundreds of them: as a template included for each, they were a third of the page's time. Escaped
with ``html.escape`` itself, which Django's ``escape`` wraps: ``format_html`` through its lazy
wrappers cost 12 µs a number, a sixth of a city's dashboard.
"""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe

register = template.Library()


def _escaped(value) -> str:
    """``conditional_escape``: what is already safe HTML is kept as it is."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


@register.simple_tag
def drill(n, url="", cls="", testid=""):
    testid_attribute = f' data-testid="{escape(testid)}"' if testid else ""
    attributes = f'class="{escape(cls or "")}"{testid_attribute}'
    number = _escaped(localize(n))
    if url:
        return mark_safe(f'<a href="{escape(url)}" {attributes}>{number}</a>')
    return mark_safe(f"<span {attributes}>{number}</span>")
