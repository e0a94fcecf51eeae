"""Deployment checks (``manage.py check --deploy``) for the sign-in controls."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_enforced(app_configs, **kwargs):
    if settings.PRODUCTION and not settings.TWO_FACTOR_ENFORCED:
        return [
            Warning(
                "Production runs without two-factor authentication (TWO_FACTOR_ENFORCED is off).",
                hint="等保 2.0 level 3 asks for two factors: unset TWO_FACTOR_ENFORCED or set it "
                "to true.",
                id="accounts.W001",
            )
        ]
    return []
