from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self):
        # The deployment checks and the sign-in signal.
        from . import checks, session_policy  # noqa: F401

        # The sign-in libraries' sections of the back office, named in the user's language.
        apps.get_app_config("axes").verbose_name = _("Sign-in lockouts")
        apps.get_app_config("otp_totp").verbose_name = _("Second factor")
