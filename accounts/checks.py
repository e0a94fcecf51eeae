"""Deployment checks (``manage.py check --deploy``): the sign-in controls, the API tokens' key."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MINIMUM_KEY_LENGTH = 32


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


@register(Tags.security, deploy=True)
def api_token_key(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    key = settings.API_TOKEN_KEY
    if not key or key == settings.API_TOKEN_DEVELOPMENT_KEY or len(key) < MINIMUM_KEY_LENGTH:
        return [
            Error(
                "Production runs without its own API_TOKEN_KEY: API tokens cannot be issued or "
                "checked (HMAC-SM3 digests, 密评).",
                hint=f"Set API_TOKEN_KEY to a secret of at least {MINIMUM_KEY_LENGTH} characters, "
                "apart from SECRET_KEY and AUDIT_CHAIN_KEY (python -c 'import secrets; "
                "print(secrets.token_hex(32))'). Changing it invalidates every token.",
                id="accounts.E001",
            )
        ]
    return []
