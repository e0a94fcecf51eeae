from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self):
        # The audit signals, the deployment checks and the sign-in signal.
        from . import audit, checks, gates  # noqa: F401
