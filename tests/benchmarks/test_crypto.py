"""`manage.py bench --crypto-only`: the cost of SM4-GCM and of the SM3 hasher, against a ring that
frames values without a cipher and Django's pbkdf2_sha256, in its own section of the output."""

import io
from unittest import mock

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from benchmarks.keyring import FramingOnlyKeyRing
from benchmarks.management.commands.bench import CRYPTO_SECTION, CRYPTO_TITLE, Command
from benchmarks.scale import Generator
from cases.models import Case
from core.encryption.keyring import DecryptionFailed, SettingsKeyRing, keyring

CONTEXT = b"cases.case.summary"


def test_the_framing_only_ring_frames_values_as_the_real_one_without_a_cipher(settings):
    ring = FramingOnlyKeyRing.from_settings()
    real = SettingsKeyRing.from_settings()

    token = ring.seal("某局工程项目受贿案".encode(), CONTEXT)

    assert token.startswith("sm4gcm$none$")
    assert ring.open(token, CONTEXT).decode() == "某局工程项目受贿案"
    assert ring.blind_index("张 三") == real.blind_index("张三")
    with pytest.raises(DecryptionFailed):
        ring.open(real.seal(b"x", CONTEXT), CONTEXT)


# The benchmark command runs on PostgreSQL only (it says so and stops on SQLite).
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="manage.py bench runs on PostgreSQL only"
)


@on_postgresql
def test_a_crypto_run_writes_its_section_keeps_the_others_and_restores_the_ring(
    db, tmp_path, settings
):
    Generator(500, seed=7).generate()
    page = tmp_path / "benchmarks.md"
    page.write_text(
        "# Benchmarks\n\n| hot path |\n\n### The real case: one letter\n\n| real |\n"
        "\n## Notes\n\nkept\n"
    )
    ring = settings.DATA_KEY_RING

    # Fewer iterations for both hashers (the SM3 one takes Django's): the same code, faster.
    with mock.patch.object(PBKDF2PasswordHasher, "iterations", 1000):
        for _run in range(2):
            call_command(
                "bench", "--crypto-only", "--runs", "2", "--output", str(page), stdout=io.StringIO()
            )

    text = page.read_text()
    assert text.count(CRYPTO_SECTION) == 1
    section = text[text.index(CRYPTO_SECTION) : text.index("## Notes")]
    for path in ("Sign-in", "Password check alone", "Case page", "Case list, a unit's first page"):
        assert f"| {path}" in section
    assert "search by a subject's full name" in section and "Reading it:" in section
    assert text.startswith("# Benchmarks\n\n| hot path |\n\n### The real case: one letter\n")
    assert "| real |" in text and text.endswith("## Notes\n\nkept\n")
    assert text.index("### The real case") < text.index(CRYPTO_SECTION) < text.index("## Notes")
    # The ring in force again, and no row framed without a cipher left behind.
    assert ring == settings.DATA_KEY_RING
    assert isinstance(keyring(), SettingsKeyRing)
    assert not Case.objects.filter(title__startswith=CRYPTO_TITLE).exists()


def test_a_section_in_the_middle_is_replaced_in_place(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# B\n\n| t |\n\n### First\n\n| 1 |\n\n### Second\n\n| 2 |\n\n## Notes\n")

    text = Command._with_section(page, "### First", "\n### First\n\n| one |\n")

    assert text == "# B\n\n| t |\n\n### First\n\n| one |\n\n### Second\n\n| 2 |\n\n## Notes\n"
