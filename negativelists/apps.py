from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NegativeListsConfig(AppConfig):
    name = "negativelists"
    verbose_name = _("Negative lists")
