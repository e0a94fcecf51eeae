from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformsConfig(AppConfig):
    name = "reforms"
    verbose_name = _("Rectification")

    def ready(self):
        # 整改反弹: a recorded problem is compared with those already rectified.
        from . import rebounds  # noqa: F401
