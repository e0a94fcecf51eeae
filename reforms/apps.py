from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformsConfig(AppConfig):
    name = "reforms"
    verbose_name = _("Rectification")

    def ready(self):
        # 整改反弹: a recorded problem is compared with those already rectified.
        # Evidence sealed on disk is re-sealed by `manage.py rotate_data_key` with the columns.
        from core.encryption.rotation import register_sealed_files

        from . import rebounds  # noqa: F401
        from .sealing import EVIDENCE_FILES

        register_sealed_files(EVIDENCE_FILES)
