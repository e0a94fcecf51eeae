"""Case content sealed at rest with SM4-GCM (core/encryption): the database holds no plaintext,
everyone in scope reads the plaintext on pages, the API, the PDF and the workbook; names are found
by exact match; the limits the database's CHECKs kept still hold; the key ring is checked."""

import os
import subprocess
import sys
from decimal import Decimal
from unittest import mock

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test import override_settings
from django.urls import reverse

from cases.models import Case, CaseAnalysis, Subject
from core.encryption.keyring import DecryptionFailed, is_sealed, keyring
from core.encryption.rotation import SealedColumn, SealedTable
from core.templatetags.amounts import yuan
from tests import factories
from tests.api.conftest import api_as  # noqa: F401  (the API tests' fixture)
from tests.crosscase.conftest import by_criteria, cases  # noqa: F401  (fixtures reused here)
from tests.pdf import compact
from tests.test_excel import read

OTHER_KEY = "ffeeddccbbaa99887766554433221100"


def raw(table: str, column: str, pk: int) -> str:
    """The column as the database holds it, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def sealed_case(world, housing_case):
    housing_case.amount = Decimal("1250000.50")
    housing_case.summary = "利用职务便利为他人谋取利益，收受财物"
    housing_case.save()
    subject = Subject.objects.create(
        case=housing_case, name="王建国", position="住建局局长", disposition="开除党籍"
    )
    analysis = CaseAnalysis.objects.create(
        case=housing_case,
        author=world.users.city_staff,
        trajectory="从收受小额礼品开始",
        root_causes="理想信念滑坡",
        loopholes="招投标评审无人复核",
        lessons="一把手权力要分解",
    )
    return housing_case, subject, analysis


def test_sm4_gcm_matches_the_published_example():
    """RFC 8998 appendix A.1 (SM4-GCM, the example of the TLS 1.3 SM suites)."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    assert ciphertext.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_the_database_holds_no_plaintext(sealed_case):
    case, subject, analysis = sealed_case
    stored = {
        ("cases_case", "amount", case.pk): "1250000.50",
        ("cases_case", "summary", case.pk): "利用职务便利",
        ("cases_subject", "name", subject.pk): "王建国",
        ("cases_subject", "position", subject.pk): "局长",
        ("cases_subject", "disposition", subject.pk): "开除党籍",
        ("cases_caseanalysis", "trajectory", analysis.pk): "小额礼品",
        ("cases_caseanalysis", "root_causes", analysis.pk): "理想信念",
        ("cases_caseanalysis", "loopholes", analysis.pk): "招投标",
        ("cases_caseanalysis", "lessons", analysis.pk): "一把手",
    }
    for (table, column, pk), plaintext in stored.items():
        value = raw(table, column, pk)
        assert is_sealed(value), (table, column)
        assert value.startswith("sm4gcm$dev1$")
        assert plaintext not in value
    # The same text sealed twice differs (a fresh nonce each time).
    assert raw("cases_subject", "name", subject.pk) != keyring().seal(
        "王建国".encode(), b"cases.subject.name"
    )
    subject.refresh_from_db()
    case.refresh_from_db()
    assert (subject.name, subject.disposition) == ("王建国", "开除党籍")
    assert case.amount == Decimal("1250000.50")


def test_everyone_in_scope_reads_the_plaintext(world, sealed_case, browse, api_as):  # noqa: F811
    case, _subject, _analysis = sealed_case
    page = browse(world.users.city_staff).get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    for text in (
        "王建国",
        "住建局局长",
        "开除党籍",
        "利用职务便利",
        "理想信念滑坡",
        "1,250,000.50",
    ):
        assert text in page.content.decode(), text
    answer = api_as("staff").get(f"/api/v1/cases/{case.pk}/").json()
    assert answer["amount"] == "1250000.50"
    assert answer["subjects"][0]["name"] == "王建国"
    rows = read(browse(world.users.city_staff).get(reverse("documents:cases_xlsx")))
    numbers = [Decimal(str(value)) for value in rows[1] if isinstance(value, int | float)]
    assert Decimal("1250000.50") in numbers
    # The officer of the unit sees neither the page nor the subject (confidential content).
    officer = browse(world.users.housing_officer).get(reverse("cases:detail", args=[case.pk]))
    assert "王建国" not in officer.content.decode()


def test_the_cross_case_report_reads_sealed_analyses_and_amounts(world, by_criteria, browse):  # noqa: F811
    answer = browse(world.users.supervisor).get(
        reverse("documents:crosscase_report", args=[by_criteria.pk])
    )
    text = compact(answer.content)
    assert "理想信念动摇" in text  # the road case's root causes, sealed in the database
    assert "评标专家由局长指定" in text
    # 150,000 + 2,000,000 + 30,000 yuan, summed from the sealed amounts
    assert f"涉案金额合计{yuan(Decimal('2180000'))}元" in text
    assert f"最高{yuan(Decimal('2000000'))}元" in text


def test_a_name_is_found_by_exact_match(world, sealed_case, browse):
    case, _subject, _analysis = sealed_case
    client = browse(world.users.city_staff)

    def found(query):
        page = client.get(reverse("cases:list"), {"q": query}).content.decode()
        return case.number in page

    assert found("王建国")
    assert found(" 王 建国 ")  # spaces do not count
    assert not found("王建")  # a part of a name is not a name
    assert not found("利用职务便利")  # the summary is no longer searched
    assert found(case.number[:3])  # numbers and titles still match in part
    assert list(Subject.objects.named("王建国")) == [_subject]
    assert Subject.objects.named("").count() == 0


def test_the_back_office_finds_a_subject_by_full_name(world, sealed_case, client):
    case, _subject, _analysis = sealed_case
    client.force_login(world.users.city_staff)
    listing = client.get(reverse("admin:cases_subject_changelist"), {"q": "王建国"})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    cases_found = client.get(reverse("admin:cases_case_changelist"), {"q": "王建国"})
    assert list(cases_found.context["cl"].result_list) == [case]


@pytest.mark.django_db
def test_the_database_cannot_compare_a_sealed_column():
    with pytest.raises(FieldError):
        Subject.objects.filter(name="王建国").exists()
    with pytest.raises(FieldError):
        Case.objects.filter(summary__icontains="利用").exists()
    assert Subject.objects.filter(position__isnull=True).count() == 0


def test_the_limits_still_hold_on_every_write(sealed_case):
    case, subject, _analysis = sealed_case
    case.amount = Decimal("-0.01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.bulk_update([case], ["amount"])
    subject.position = "长" * 201
    with pytest.raises(IntegrityError), transaction.atomic():
        subject.save()


def test_the_database_cannot_compute_a_sealed_value(sealed_case):
    with pytest.raises(FieldError, match="sealed"):
        Subject.objects.update(position=Concat(Value("局长"), Cast("pk", CharField())))
    with pytest.raises(FieldError, match="sealed"):
        Subject.objects.update(position=Value("局长"))  # a value the database would store as is


def test_a_value_moved_to_another_column_does_not_open(sealed_case):
    _case, subject, _analysis = sealed_case
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "cases_subject" SET "position" = "name" WHERE id = %s', [subject.pk])
    with pytest.raises(DecryptionFailed, match=r"cases\.subject\.position"):
        Subject.objects.get(pk=subject.pk)


def _check_ids(**settings_):
    with override_settings(**settings_):
        return {
            message.id
            for message in run_checks(databases=["default"], include_deployment_checks=True)
        }


def test_a_wrong_or_missing_key_fails_the_checks(sealed_case):
    assert not {"encryption.E001", "encryption.E003"} & _check_ids()
    assert "encryption.E003" in _check_ids(DATA_KEYS=f"dev1:{OTHER_KEY}")
    assert "encryption.E003" in _check_ids(DATA_KEYS=f"dev2:{OTHER_KEY}")  # dev1 missing
    assert "encryption.E001" in _check_ids(DATA_KEYS="")
    assert "encryption.E001" in _check_ids(DATA_KEYS="dev1:0011")  # not an SM4 key
    production = {"PRODUCTION": True, "DEBUG": False}
    assert "encryption.E002" in _check_ids(**production)
    assert "encryption.E002" not in _check_ids(
        **production,
        DATA_KEYS=f"dev1:00112233445566778899aabbccddeeff,p1:{OTHER_KEY}",
        BLIND_INDEX_KEY="p" * 40,
    )


def test_without_a_key_nothing_is_written_in_clear(world, housing_case):
    with override_settings(DATA_KEYS=""), pytest.raises(ImproperlyConfigured), transaction.atomic():
        Subject.objects.create(case=housing_case, name="李四")
    assert not Subject.objects.filter(case=housing_case).exists()


def test_clear_rows_are_reported_and_sealed(sealed_case):
    _case, subject, _analysis = sealed_case
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "cases_subject" SET "name" = %s, "name_index" = %s WHERE id = %s',
            ["赵六", "", subject.pk],
        )
    assert "encryption.W001" in _check_ids()
    call_command("rotate_data_key", verbosity=0)
    assert is_sealed(raw("cases_subject", "name", subject.pk))
    assert list(Subject.objects.named("赵六")) == [subject]
    assert "encryption.W001" not in _check_ids()


def test_a_new_database_migrates_and_passes_the_checks(tmp_path):
    """``make run`` on a bare clone: ``migrate`` runs the checks before any table exists."""
    environment = {**os.environ, "VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    for command in (["migrate", "--noinput", "-v0"], ["check", "--database", "default"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_checks_let_migrate_run_before_the_tables_or_columns_are_sealed(db):
    """``migrate`` runs the database checks first: on a new database (no tables yet) and on one
    from before ``cases.0008`` (a numeric amount column) they must not stop it."""
    absent = SealedTable("no_such_table", "id", (SealedColumn("name", "cases.subject.name"),))
    numeric = SealedTable(
        "accounts_orgunit", "id", (SealedColumn("depth", "accounts.orgunit.depth"),)
    )
    factories.org_root("长春市纪委监委")
    with mock.patch("core.encryption.checks.sealed_tables", return_value=[absent, numeric]):
        assert _check_ids() & {"encryption.E003", "encryption.W001"} == {"encryption.W001"}
