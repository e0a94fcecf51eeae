from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrossCaseConfig(AppConfig):
    name = "crosscase"
    verbose_name = _("Cross-case analysis")
