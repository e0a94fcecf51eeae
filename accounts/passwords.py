"""The password rule of 等保 2.0 level 3 that Django does not ship: several kinds of character.

Length, similarity to the username and common passwords are Django's own validators
(``AUTH_PASSWORD_VALIDATORS``); every path that sets a password runs them all.
"""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_CLASSES = {
    "upper": set(string.ascii_uppercase),
    "lower": set(string.ascii_lowercase),
    "digit": set(string.digits),
}


def character_classes(password: str) -> set[str]:
    """Which of upper case, lower case, digit and symbol the password uses."""
    found = {name for name, chars in CHARACTER_CLASSES.items() if chars & set(password)}
    if any(not char.isascii() or not char.isalnum() for char in password):
        found.add("symbol")
    return found


class CharacterClassValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must mix at least %(count)d of: upper-case letters, lower-case "
            "letters, digits and symbols."
        ) % {"count": self.min_classes}
