"""A number that opens the rows behind it: ``{% drill n url cls="…" testid="…" %}``.

A link to ``url`` when there is one, else plain text. Written in Python because a dashboard shows
hundreds of them: as a template included for each, they were a third of the page's time.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def drill(n, url="", cls="", testid=""):
    testid_attribute = format_html(' data-testid="{}"', testid) if testid else ""
    if url:
        return format_html(
            '<a href="{}" class="{}"{}>{}</a>', url, cls or "", testid_attribute, localize(n)
        )
    return format_html('<span class="{}"{}>{}</span>', cls or "", testid_attribute, localize(n))
