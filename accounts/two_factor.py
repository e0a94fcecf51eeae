"""Who must sign in with a second factor (TOTP) and the enrolment of an authenticator app."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import needs_second_factor


def second_factor_required(user) -> bool:
    """The user's role demands a second factor, and the installation enforces it."""
    return settings.TWO_FACTOR_ENFORCED and needs_second_factor(user)


def asks_for_second_factor(user) -> bool:
    """Signing in takes a code: required of the user, or enabled by them (a confirmed device)."""
    return second_factor_required(user) or user_has_device(user)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device an enrolment confirms (one per user; made on first visit)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image file, no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def grouped_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
