"""``manage.py rotate_data_key`` over 10,000 rows: stopped half-way, it resumes where it stopped."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from cases.models import Subject
from core.encryption.keyring import keyring
from core.encryption.rotation import reseal_table, sealed_tables, survey

DEV_KEY = "dev1:00112233445566778899aabbccddeeff"
NEW_KEY = "k2:0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ROWS = 10_000


class Interrupted(Exception):
    pass


@pytest.fixture
def many_subjects(housing_case):
    Subject.objects.bulk_create(
        Subject(case=housing_case, name=f"涉案人{n}", position=f"科员{n}") for n in range(ROWS)
    )


def subject_keys() -> dict:
    found = survey([t for t in sealed_tables() if t.table == "cases_subject"])
    return {column: dict(counts) for column, counts in found.items()}


def test_rotation_resumes_after_an_interruption(many_subjects):
    subjects = next(t for t in sealed_tables() if t.table == "cases_subject")
    assert subject_keys()["cases_subject.name"] == {"dev1": ROWS}
    with override_settings(DATA_KEYS=f"{DEV_KEY},{NEW_KEY}"):
        assert keyring().current_id == "k2"

        def stop_after_three_batches(table, read, total, rewritten):
            assert total == ROWS
            if read > 3000:
                raise Interrupted

        with pytest.raises(Interrupted):
            reseal_table(subjects, batch_size=1000, progress=stop_after_three_batches)
        # The three batches before the interruption committed; the fourth rolled back.
        assert subject_keys()["cases_subject.name"] == {"k2": 3000, "dev1": ROWS - 3000}
        output = io.StringIO()
        call_command("rotate_data_key", "--dry-run", stdout=output)
        assert "cases_subject.name: dev1: 7000, k2: 3000" in output.getvalue()
        # Three columns of 7,000 subjects, and the case's amount and summary.
        assert f"{(ROWS - 3000) * 3 + 2} values to re-seal" in output.getvalue()

        assert reseal_table(subjects, batch_size=1000) == ROWS - 3000  # only what was left
        assert subject_keys() == {
            "cases_subject.name": {"k2": ROWS},
            "cases_subject.position": {"k2": ROWS},
            "cases_subject.disposition": {"k2": ROWS},
        }
        assert reseal_table(subjects, batch_size=1000) == 0
        # Every value opens under the new ring, and the blind index still finds a name.
        assert Subject.objects.get(pk=Subject.objects.named("涉案人9999").get().pk).position == (
            "科员9999"
        )
        assert sorted(Subject.objects.values_list("name", flat=True))[:2] == ["涉案人0", "涉案人1"]
    # The old key alone cannot open what the new one sealed.
    with override_settings(DATA_KEYS=DEV_KEY), pytest.raises(Exception, match="no key 'k2'"):
        Subject.objects.first()


def test_the_command_reports_its_progress(many_subjects):
    output = io.StringIO()
    with override_settings(DATA_KEYS=f"{DEV_KEY},{NEW_KEY}"):
        call_command("rotate_data_key", "--batch", "4000", stdout=output)
    text = output.getvalue()
    assert "cases_subject: 4000/10000 read (40%)" in text
    assert "cases_subject: 10000 rows re-sealed under 'k2'" in text
    assert "Every sealed column and file is under key 'k2'." in text
