"""Signing in as 等保 2.0 level 3 asks: strong passwords, no administrator's password kept, a
lockout after five failures, an idle session ends, and a second factor for all but unit officers.

Every story runs real requests through the test client against the real database; messages are
read in Chinese, as users see them.
"""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.checks import Tags, run_checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.two_factor import grouped_secret
from recommendations.models import ImportJob
from tests import factories

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY_9AM = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def chinese():
    """Messages as users read them (the accounts tests default to English)."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def no_throttle_history():
    """The token endpoint's throttle counts in the cache: each story starts afresh."""
    cache.clear()


def sign_in(client, username, password=factories.PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def text(response) -> str:
    return response.content.decode()


def code_of(device: TOTPDevice) -> str:
    """The code the user's app shows now, computed as the app does."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_of(device)) + 1) % 1_000_000:06d}"


# ── Password policy ──────────────────────────────────────────────────────────────────────────────


class TestPasswordPolicy:
    @pytest.mark.parametrize(
        "password", ["Demo@2026", factories.PASSWORD, "Jiwei#Zhenggai8", "整改Abc123"]
    )
    def test_strong_passwords_are_accepted(self, world, password):
        validate_password(password, world.users.city_staff)

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Ab1#", "密码长度太短。密码必须包含至少 8 个字符。"),
            ("zhenggaigongzuo", "密码须至少包含大写字母、小写字母、数字、符号中的 3 种。"),
            ("zhenggai2026", "密码须至少包含大写字母、小写字母、数字、符号中的 3 种。"),
            ("ZHENGGAI-JIANDU", "密码须至少包含大写字母、小写字母、数字、符号中的 3 种。"),
            ("20261123", "密码只包含数字。"),
        ],
    )
    def test_weak_passwords_are_refused_in_chinese(self, world, password, message):
        with pytest.raises(ValidationError) as refusal:
            validate_password(password, world.users.city_staff)
        assert message in refusal.value.messages

    def test_a_password_like_the_username_is_refused(self, world):
        liming = factories.user(Role.UNIT_OFFICER, world.units.housing, "liming_housing")
        with pytest.raises(ValidationError) as refusal:
            validate_password("Liming_Housing1", liming)
        assert any("太相似" in message for message in refusal.value.messages)

    def test_the_password_page_explains_the_rule_and_refuses_a_weak_one(self, world, client):
        client.force_login(world.users.housing_officer)
        page = client.get(reverse("password_change"))
        assert "密码须至少包含大写字母、小写字母、数字、符号中的 3 种。" in text(page)
        refused = client.post(
            reverse("password_change"),
            {
                "old_password": factories.PASSWORD,
                "new_password1": "zhenggai2026",
                "new_password2": "zhenggai2026",
            },
        )
        assert refused.status_code == 200
        assert "密码须至少包含大写字母、小写字母、数字、符号中的 3 种。" in text(refused)


# ── Forced change of an initial or reset password ────────────────────────────────────────────────


class TestAnAdministratorsPasswordMustBeReplaced:
    def create_officer_in_back_office(self, world) -> User:
        back_office = Client()
        back_office.force_login(world.users.system_admin)
        answer = back_office.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "liming",
                "full_name": "李明",
                "org_unit": world.units.housing.pk,
                "usable_password": "true",
                "password1": "Chushi#2026",
                "password2": "Chushi#2026",
            },
        )
        assert answer.status_code == 302, text(answer)
        liming = User.objects.get(username="liming")
        # 三员分立: the security administrator grants the role.
        security = Client()
        security.force_login(world.users.security_admin)
        granted = security.post(
            reverse("admin:accounts_user_change", args=[liming.pk]),
            {"username": "liming", "role": Role.UNIT_OFFICER, "is_active": "on"},
        )
        assert granted.status_code == 302, text(granted)
        return User.objects.get(username="liming")

    def test_first_sign_in_lands_on_the_change_page_until_a_new_password_is_chosen(
        self, world, client
    ):
        liming = self.create_officer_in_back_office(world)
        assert liming.must_change_password

        signed_in = sign_in(client, "liming", "Chushi#2026")
        home = client.get(signed_in.url)
        assert home.status_code == 302
        assert home.url.startswith(reverse("password_change"))
        page = client.get(home.url)
        assert "您的密码由管理员设置" in text(page)
        for elsewhere in (reverse("reforms:measure_list"), reverse("admin:index")):
            assert client.get(elsewhere).url.startswith(reverse("password_change"))
        api = client.get("/api/v1/measures/")
        assert api.status_code == 403
        assert api.json()["code"] == "password_change_required"
        token = APIClient().post(
            "/api/v1/token/", {"username": "liming", "password": "Chushi#2026"}
        )
        assert token.status_code == 403
        assert "请先在网页上登录并设置新密码" in token.json()["detail"]

        changed = client.post(
            reverse("password_change"),
            {
                "old_password": "Chushi#2026",
                "new_password1": "Liming@Zhenggai9",
                "new_password2": "Liming@Zhenggai9",
            },
        )
        assert changed.status_code == 302
        liming.refresh_from_db()
        assert not liming.must_change_password
        assert client.get(reverse("home")).status_code == 200
        assert client.get("/api/v1/measures/").status_code == 200

    def test_a_token_obtained_earlier_stops_working_until_the_password_is_changed(self, world):
        officer = world.users.housing_officer
        token = factories.api_token(officer)
        officer.must_change_password = True
        officer.save()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        refused = api.get("/api/v1/measures/")
        assert refused.status_code == 403
        assert refused.json()["code"] == "password_change_required"

    def test_logging_out_still_works(self, world, client):
        self.create_officer_in_back_office(world)
        sign_in(client, "liming", "Chushi#2026")
        assert client.post(reverse("logout")).url == reverse("login")
        assert client.get(reverse("home")).url.startswith(reverse("login"))

    def test_a_password_reset_in_the_back_office_must_be_replaced_too(self, world):
        back_office = Client()
        back_office.force_login(world.users.system_admin)
        officer = world.users.housing_officer
        answer = back_office.post(
            reverse("admin:auth_user_password_change", args=[officer.pk]),
            {"usable_password": "true", "password1": "Chongzhi#2026", "password2": "Chongzhi#2026"},
        )
        assert answer.status_code == 302, text(answer)
        officer.refresh_from_db()
        assert officer.must_change_password


# ── Lockout ──────────────────────────────────────────────────────────────────────────────────────

LOCKED = "登录失败次数过多"


class TestLockout:
    def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(self, world, client):
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            for _ in range(4):
                assert "请输入一个正确的用户名和密码" in text(
                    sign_in(client, "city_staff", "Wrong#pass1")
                )
            fifth = sign_in(client, "city_staff", "Wrong#pass1")
            assert fifth.status_code == 429
            assert LOCKED in text(fifth)
            locked = sign_in(client, "city_staff")  # the right password, too late
            assert locked.status_code == 429
            assert LOCKED in text(locked)
            assert "15 分钟" in text(locked) and "09:15" in text(locked)
            assert 'name="username"' in text(locked)  # the login page, not a bare error

            clock.shift(datetime.timedelta(minutes=14))
            assert sign_in(client, "city_staff").status_code == 429
            clock.shift(datetime.timedelta(minutes=1, seconds=1))
            assert sign_in(client, "city_staff").url == reverse("home")

    def test_the_username_is_locked_from_that_address_only(self, world, client):
        """Five wrong passwords lock the username on the address they came from: the same account
        still signs in from another computer, and another account from the same one."""
        for _ in range(5):
            sign_in(client, "city_staff", "Wrong#pass1", REMOTE_ADDR="10.0.0.1")
        locked = sign_in(Client(), "city_staff", REMOTE_ADDR="10.0.0.1")
        assert locked.status_code == 429
        assert LOCKED in text(locked)
        assert sign_in(Client(), "city_staff", REMOTE_ADDR="10.9.9.9").url == reverse("home")
        assert sign_in(Client(), "county_staff", REMOTE_ADDR="10.0.0.1").url == reverse("home")

    def test_failures_spread_over_addresses_lock_nothing(self, world, client):
        for number in range(5):
            sign_in(client, "city_staff", "Wrong#pass1", REMOTE_ADDR=f"10.0.0.{number}")
        assert sign_in(Client(), "city_staff", REMOTE_ADDR="10.9.9.9").url == reverse("home")

    def test_garbage_usernames_from_an_address_lock_no_real_account(self, world, client, settings):
        """One client behind the office's proxy sends garbage usernames: the colleagues who share
        its address still sign in, below the per-address limit."""
        settings.AXES_IP_FAILURE_LIMIT = 50
        for number in range(49):
            sign_in(client, f"garbage{number}", "Wrong#pass1", REMOTE_ADDR="10.2.2.2")
        for name in ("county_staff", "city_staff"):
            answer = sign_in(Client(), name, REMOTE_ADDR="10.2.2.2")
            assert answer.status_code == 302 and answer.url == reverse("home"), name
        token = APIClient(REMOTE_ADDR="10.2.2.2").post(
            "/api/v1/token/", {"username": "housing_officer", "password": factories.PASSWORD}
        )
        assert token.status_code == 200, token.content

    def test_an_address_over_its_own_limit_is_locked_for_everyone(self, world, client, settings):
        settings.AXES_IP_FAILURE_LIMIT = 50
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            for number in range(50):
                sign_in(client, f"garbage{number}", "Wrong#pass1", REMOTE_ADDR="10.3.3.3")
            # Another, real account with its right password, from the same address.
            locked = sign_in(Client(), "county_staff", REMOTE_ADDR="10.3.3.3")
            assert locked.status_code == 429
            assert LOCKED in text(locked) and "09:15" in text(locked)
            token = APIClient(REMOTE_ADDR="10.3.3.3").post(
                "/api/v1/token/", {"username": "housing_officer", "password": factories.PASSWORD}
            )
            assert token.status_code == 429 and token.json()["code"] == "locked_out"
            assert "09:15" in token.json()["detail"]
            # The accounts themselves are not locked elsewhere.
            assert sign_in(Client(), "county_staff", REMOTE_ADDR="10.1.1.1").status_code == 302
            # The address opens again once the cool-off has passed since its last failure.
            clock.shift(datetime.timedelta(minutes=15, seconds=1))
            assert sign_in(Client(), "county_staff", REMOTE_ADDR="10.3.3.3").status_code == 302

    def test_only_the_security_admin_sees_and_lifts_a_lockout(self, world, client):
        for _ in range(5):
            sign_in(client, "city_staff", "Wrong#pass1")
        attempts = reverse("admin:axes_accessattempt_changelist")
        for other in ("system_admin", "audit_admin", "city_staff"):
            client.force_login(getattr(world.users, other))
            assert client.get(attempts).status_code == 403, other
        client.logout()

        security = Client()
        security.force_login(world.users.security_admin)
        listing = security.get(attempts)
        assert listing.status_code == 200
        assert "city_staff" in text(listing)
        lifted = security.post(
            attempts,
            {
                "action": "delete_selected",
                "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
                "post": "yes",
            },
        )
        assert lifted.status_code == 302
        assert not AccessAttempt.objects.exists()
        assert sign_in(client, "city_staff").url == reverse("home")

    def test_the_api_token_endpoint_locks_too(self, world):
        api = APIClient()
        wrong = {"username": "housing_officer", "password": "Wrong#pass1"}
        assert [api.post("/api/v1/token/", wrong).status_code for _ in range(5)] == [401] * 4 + [
            429
        ]
        locked = api.post(
            "/api/v1/token/", {"username": "housing_officer", "password": factories.PASSWORD}
        )
        assert locked.status_code == 429
        assert locked.json()["code"] == "locked_out"
        assert LOCKED in locked.json()["detail"]
        # …and the web login page knows it: the same records.
        assert sign_in(Client(), "housing_officer").status_code == 429


# ── Idle timeout ─────────────────────────────────────────────────────────────────────────────────


class TestIdleSession:
    def test_thirty_minutes_without_activity_end_the_session(self, world, client):
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            sign_in(client, "city_staff")
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(reverse("reforms:measure_list")).status_code == 200
            clock.shift(datetime.timedelta(minutes=31))
            gone = client.get(reverse("reforms:measure_list"))
            assert gone.status_code == 302
            assert gone.url.startswith(reverse("login"))
            login_page = client.get(gone.url)
            assert "30 分钟未操作，已自动退出登录" in text(login_page)
            assert client.get(reverse("home")).url.startswith(reverse("login"))

    def test_a_page_polling_in_the_background_does_not_keep_the_session_alive(
        self, world, client, housing_case
    ):
        job = ImportJob.objects.create(
            kind=ImportJob.Kind.PROBLEMS,
            case=housing_case,
            file="imports/problems.xlsx",
            original_name="problems.xlsx",
            total=2000,
            created_by=world.users.city_staff,
        )
        progress = reverse("documents:import_job_progress", args=[job.pk])
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            sign_in(client, "city_staff")
            for _ in range(5):
                clock.shift(datetime.timedelta(minutes=5))
                assert client.get(progress).status_code == 200  # the page's htmx poll
            clock.shift(datetime.timedelta(minutes=6))  # 31 minutes since the last click
            assert client.get(reverse("home")).url.startswith(reverse("login"))

    def test_an_api_session_that_idled_is_signed_out(self, world, client):
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            sign_in(client, "city_staff")
            clock.shift(datetime.timedelta(minutes=31))
            assert client.get("/api/v1/measures/").status_code in {401, 403}


# ── Second factor ────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def device_of(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user)


class TestSecondFactor:
    def test_staff_enrol_at_first_sign_in_and_give_a_code_afterwards(self, world, client, enforced):
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            signed_in = sign_in(client, "city_staff")
            enrol = client.get(signed_in.url)
            assert enrol.url.startswith(reverse("otp_enrol"))
            page = client.get(enrol.url)
            assert "您的角色要求使用双因素认证" in text(page)
            assert "<svg" in text(page)
            assert "<script>" not in text(page) and "onclick" not in text(page)  # CSP-ready
            device = device_of(world.users.city_staff)
            assert not device.confirmed
            assert grouped_secret(device) in text(page)

            # Nothing else is reachable before the code: pages, the back office, the API.
            for elsewhere in (reverse("cases:list"), reverse("admin:index")):
                assert client.get(elsewhere).url.startswith(reverse("otp_enrol"))
            api = client.get("/api/v1/cases/")
            assert api.status_code == 403
            assert api.json()["code"] == "second_factor_required"

            refused = client.post(enrol.url, {"code": wrong_code(device)})
            assert refused.status_code == 200
            assert "验证码错误或已过期" in text(refused)
            clock.shift(datetime.timedelta(seconds=30))  # the app's next code
            confirmed = client.post(reverse("otp_enrol"), {"code": code_of(device)})
            assert confirmed.status_code == 302
            assert device_of(world.users.city_staff).confirmed
            assert client.get(reverse("cases:list")).status_code == 200

            client.post(reverse("logout"))
            clock.shift(datetime.timedelta(seconds=30))
            asked = client.get(sign_in(client, "city_staff").url)
            assert asked.url.startswith(reverse("otp_verify"))
            assert client.get(reverse("cases:list")).url.startswith(reverse("otp_verify"))
            assert client.post(asked.url, {"code": "12345"}).status_code == 200
            verified = client.post(
                reverse("otp_verify"),
                {"code": code_of(device), "next": reverse("cases:list")},
            )
            assert verified.url == reverse("cases:list")
            assert client.get(reverse("cases:list")).status_code == 200

    def test_every_role_but_the_unit_officer_must_enrol(self, world, enforced):
        for name in ("supervisor", "system_admin", "security_admin", "audit_admin"):
            client = Client()
            assert client.get(sign_in(client, name).url).url.startswith(reverse("otp_enrol"))
        boss = User.objects.create_superuser("root", password="Root#Admin2026")
        client = Client()
        assert client.get(sign_in(client, boss.username, "Root#Admin2026").url).url.startswith(
            reverse("otp_enrol")
        )

    def test_an_officer_is_not_forced_but_may_enable_it(self, world, client, enforced):
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            signed_in = sign_in(client, "housing_officer")
            assert client.get(signed_in.url).status_code == 200
            security = client.get(reverse("account_security"))
            assert "未启用" in text(security)
            enrol = client.get(reverse("otp_enrol"))
            assert "您的角色要求" not in text(enrol)
            device = device_of(world.users.housing_officer)
            client.post(reverse("otp_enrol"), {"code": code_of(device)})
            assert "已启用" in text(client.get(reverse("account_security")))

            client.post(reverse("logout"))
            clock.shift(datetime.timedelta(seconds=30))
            asked = client.get(sign_in(client, "housing_officer").url)
            assert asked.url.startswith(reverse("otp_verify"))

    def test_without_enforcement_staff_sign_in_with_a_password(self, world, client):
        assert client.get(sign_in(client, "city_staff").url).status_code == 200

    def test_the_token_endpoint_asks_for_the_code(self, world, enforced):
        api = APIClient()
        credentials = {"username": "city_staff", "password": factories.PASSWORD}
        not_enrolled = api.post("/api/v1/token/", credentials)
        assert not_enrolled.status_code == 403
        assert "请先在网页上设置双因素认证" in not_enrolled.json()["detail"]

        device = TOTPDevice.objects.create(user=world.users.city_staff, name="app")
        with time_machine.travel(MONDAY_9AM, tick=False) as clock:
            without = api.post("/api/v1/token/", credentials)
            assert without.status_code == 403
            assert without.json()["code"] == "second_factor_required"
            assert "otp_token" in without.json()["detail"]
            wrong = api.post("/api/v1/token/", {**credentials, "otp_token": wrong_code(device)})
            assert wrong.status_code == 403
            assert "验证码错误或已过期" in wrong.json()["detail"]
            clock.shift(datetime.timedelta(seconds=30))  # past the wait after a wrong code
            right = api.post("/api/v1/token/", {**credentials, "otp_token": code_of(device)})
            assert right.status_code == 200
            assert right.json()["token"]

    def test_only_the_security_admin_resets_a_users_second_factor(self, world, client):
        device = TOTPDevice.objects.create(user=world.users.city_staff, name="app")
        delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
        for other in ("system_admin", "audit_admin", "county_staff", "supervisor"):
            client.force_login(getattr(world.users, other))
            assert client.post(delete, {"post": "yes"}).status_code == 403, other
        client.force_login(world.users.security_admin)
        assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 200
        assert client.post(delete, {"post": "yes"}).status_code == 302
        assert not TOTPDevice.objects.exists()


class TestDeploymentCheck:
    def test_production_without_a_second_factor_warns(self, settings):
        settings.PRODUCTION = True
        settings.TWO_FACTOR_ENFORCED = False
        warnings = run_checks(tags=[Tags.security], include_deployment_checks=True)
        assert "accounts.W001" in {warning.id for warning in warnings}

    def test_production_with_a_second_factor_is_quiet(self, settings):
        settings.PRODUCTION = True
        settings.TWO_FACTOR_ENFORCED = True
        warnings = run_checks(tags=[Tags.security], include_deployment_checks=True)
        assert "accounts.W001" not in {warning.id for warning in warnings}


def test_a_password_set_with_manage_py_changepassword_must_be_changed(world, monkeypatch):
    # The command reads the new password twice from the terminal: typed here.
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt=None: "Temp@2026x")
    user = world.users.city_staff

    call_command("changepassword", user.username, stdout=io.StringIO())

    user.refresh_from_db()
    assert user.check_password("Temp@2026x")
    assert user.must_change_password
