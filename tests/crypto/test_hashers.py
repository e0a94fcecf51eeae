"""Passwords hashed with PBKDF2-HMAC-SM3 (accounts/hashers.py), and older hashes upgraded to it at
the next sign-in through the real sign-in page."""

import base64
import importlib
from unittest import mock

import pytest
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)
from django.urls import reverse

from accounts.hashers import PBKDF2SM3PasswordHasher
from core.crypto import pbkdf2_sm3
from tests import factories

PASSWORD = factories.PASSWORD


class FewerIterationsSM3(PBKDF2SM3PasswordHasher):
    """The SM3 hasher itself, with fewer rounds so that tests stay fast."""

    iterations = 1000


class FewerIterationsSHA256(PBKDF2PasswordHasher):
    iterations = 1000


FAST = [f"{__name__}.FewerIterationsSM3", f"{__name__}.FewerIterationsSHA256"]


@pytest.fixture
def sm3_first(settings):
    settings.PASSWORD_HASHERS = FAST


def test_the_project_hashes_with_sm3_first_and_still_reads_pbkdf2_sha256():
    project = importlib.import_module("config.settings")
    assert project.PASSWORD_HASHERS[0] == "accounts.hashers.PBKDF2SM3PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project.PASSWORD_HASHERS


def test_at_least_as_many_iterations_as_django_pbkdf2_sha256():
    assert PBKDF2SM3PasswordHasher.iterations >= PBKDF2PasswordHasher.iterations >= 1_000_000


def test_the_real_hasher_hashes_and_verifies_with_its_full_iterations():
    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    algorithm, iterations, _salt, _hash = encoded.split("$")
    assert (algorithm, int(iterations)) == ("pbkdf2_sm3", PBKDF2SM3PasswordHasher.iterations)
    assert hasher.verify(PASSWORD, encoded)
    assert not hasher.verify(PASSWORD + "x", encoded)


def test_hash_and_verify_a_wrong_password_fails(sm3_first):
    encoded = make_password(PASSWORD)
    assert encoded.startswith("pbkdf2_sm3$1000$")
    assert isinstance(identify_hasher(encoded), FewerIterationsSM3)
    assert check_password(PASSWORD, encoded)
    assert not check_password("Test-pass-2027", encoded)
    assert not check_password("", encoded)


def test_a_salt_per_password_and_the_derivation_is_pbkdf2_hmac_sm3(sm3_first):
    first, second = make_password(PASSWORD), make_password(PASSWORD)
    assert first != second
    hasher = get_hasher("pbkdf2_sm3")
    decoded = hasher.decode(first)
    expected = pbkdf2_sm3(PASSWORD.encode(), decoded["salt"].encode(), 1000)
    assert base64.b64decode(decoded["hash"]) == expected


def test_decode_and_a_safe_summary_that_masks_salt_and_hash(sm3_first):
    hasher = get_hasher("pbkdf2_sm3")
    encoded = hasher.encode(PASSWORD, "abcdefghijklmnopqrstuv")
    decoded = hasher.decode(encoded)
    assert decoded["algorithm"] == "pbkdf2_sm3"
    assert decoded["iterations"] == 1000
    assert decoded["salt"] == "abcdefghijklmnopqrstuv"
    summary = {str(key): value for key, value in hasher.safe_summary(encoded).items()}
    assert summary["algorithm"] == "pbkdf2_sm3"
    assert summary["iterations"] == 1000
    assert summary["salt"].startswith("abcdef") and "*" in summary["salt"]
    assert decoded["hash"] not in summary["hash"] and "*" in summary["hash"]


def test_the_hash_is_compared_in_constant_time(sm3_first):
    hasher = get_hasher("pbkdf2_sm3")
    encoded = hasher.encode(PASSWORD, hasher.salt())
    with mock.patch(
        "django.contrib.auth.hashers.constant_time_compare", return_value=False
    ) as compare:
        assert not hasher.verify(PASSWORD, encoded)
    compare.assert_called_once()


def test_fewer_iterations_than_the_hasher_asks_for_are_rehashed(sm3_first):
    hasher = get_hasher("pbkdf2_sm3")
    assert hasher.must_update(hasher.encode(PASSWORD, hasher.salt(), iterations=500))
    assert not hasher.must_update(hasher.encode(PASSWORD, hasher.salt()))


def test_a_pbkdf2_sha256_user_is_rehashed_with_sm3_when_signing_in_on_the_login_page(
    world, client, sm3_first
):
    user = world.users.city_staff
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sm3$")
    assert user.check_password(PASSWORD)


def test_a_wrong_password_on_the_login_page_leaves_the_old_hash(world, client, sm3_first):
    user = world.users.city_staff
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    client.post(reverse("login"), {"username": user.username, "password": "Wrong-pass-2026"})

    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
