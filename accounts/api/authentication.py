"""Token authentication over the tokens' digests (``accounts/tokens.py``), refusing with a 403 and
the reason a user who must first change an initial or reset password (accounts/session_policy.py
does the same for sessions, pages and API alike)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts import tokens


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_code = "password_change_required"


class TokenReissued(exceptions.AuthenticationFailed):
    default_code = "token_reissued"


def refuse_initial_password(user) -> None:
    if user.must_change_password:
        raise PasswordChangeRequired(
            _(
                "Your password was set by an administrator: sign in on the web and choose a new "
                "password before using the API."
            )
        )


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <token>``: the header as REST framework reads it, the token found
    by its HMAC-SM3 digest (never stored, never compared in clear)."""

    def authenticate_credentials(self, key):
        found = tokens.find(key)
        if found is None:
            if tokens.dropped_by_the_migration(key):
                raise TokenReissued(
                    _(
                        "API tokens were reissued: this one no longer works. Obtain a new token "
                        "at /api/v1/token/."
                    )
                )
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not found.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        refuse_initial_password(found.user)
        return found.user, found
