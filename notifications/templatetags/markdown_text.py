"""``{{ text|markdown_text }}``: users' text inside a markdown message (the webhook digest) stays
text — a title cannot open a link, an image, a quote or emphasis of its own.

The robots' markdown dialects do not all honour backslash escapes, so the characters that make
markdown are replaced by their full-width forms, which read naturally in Chinese text.
"""

from django import template

register = template.Library()

FULL_WIDTH = str.maketrans("[]()<>*_`#|~!\\", "［］（）＜＞＊＿｀＃｜～！＼")


@register.filter
def markdown_text(value) -> str:
    # One line: a line break would start a new block (a heading, a quote, a list).
    return " ".join(str(value).split()).translate(FULL_WIDTH)
