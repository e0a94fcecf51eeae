from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self):
        from . import checks, gates  # noqa: F401  (deployment checks; sign-in signal)
