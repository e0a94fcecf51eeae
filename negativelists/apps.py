from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NegativeListsConfig(AppConfig):
    name = "negativelists"
    verbose_name = _("Negative lists")

    def ready(self):
        from reforms.sections import register_measure_section

        from .sections import negative_lists_of_the_measure

        register_measure_section(negative_lists_of_the_measure)
