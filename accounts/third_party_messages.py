"""Back-office words of django-axes, which ships no Chinese: listed here so ``makemessages`` keeps
their translations in this project's catalogue (they are looked up by the library's own gettext)."""

from django.utils.translation import gettext_noop

AXES_MESSAGES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Locked Out"),
    gettext_noop("Attempt Remaining"),
]
