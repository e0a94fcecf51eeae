from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from .encryption import checks  # noqa: F401  (registers the key ring's checks)
