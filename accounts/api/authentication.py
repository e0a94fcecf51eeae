"""Token authentication that refuses, with a 403 and the reason, a user who must first change an
initial or reset password (accounts/session_policy.py does the same for sessions, pages and API
alike)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_code = "password_change_required"


def refuse_initial_password(user) -> None:
    if user.must_change_password:
        raise PasswordChangeRequired(
            _(
                "Your password was set by an administrator: sign in on the web and choose a new "
                "password before using the API."
            )
        )


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        refuse_initial_password(user)
        return user, token
