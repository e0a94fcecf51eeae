"""Deployment check (``manage.py check --deploy``): the audit log's chain key."""

from django.conf import settings
from django.core.checks import Error, Tags, register

MINIMUM_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def audit_chain_key(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    key = settings.AUDIT_CHAIN_KEY
    if not key or key == settings.AUDIT_CHAIN_DEVELOPMENT_KEY or len(key) < MINIMUM_KEY_LENGTH:
        return [
            Error(
                "Production runs without its own AUDIT_CHAIN_KEY: audit entries cannot be sealed "
                "(HMAC-SM3 chain, 密评).",
                hint=f"Set AUDIT_CHAIN_KEY to a secret of at least {MINIMUM_KEY_LENGTH} "
                "characters, apart from SECRET_KEY (python -c 'import secrets; "
                "print(secrets.token_hex(32))'), kept by the audit side.",
                id="audit.E001",
            )
        ]
    return []
