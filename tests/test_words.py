"""The words of the pages: a select with nothing chosen says 请选择, a filter left open says 全部,
never Django's "---------"."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from core.forms import Form, relabel_blank_choices
from core.templatetags.amounts import yuan
from notifications.models import Notification
from reforms.models import Measure, Signal
from tests import factories


def test_the_blank_choice_of_a_select_reads_choose():
    class Example(Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
        several = forms.MultipleChoiceField(choices=[("a", "A")])

    with translation.override("zh-hans"):
        html = str(Example())
    assert "请选择" in html
    assert "---------" not in html


def test_a_model_choice_keeps_no_blank_when_it_has_none():
    field = forms.ModelChoiceField(queryset=Measure.objects.none(), empty_label=None)
    relabel_blank_choices({"field": field})
    assert field.empty_label is None


@pytest.fixture
def pages(world, housing_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case)
    issued = factories.issued_recommendation(staff=staff, the_case=housing_case)
    measure = factories.measure(recommendation=issued, actor=officer)
    return {
        staff: [
            reverse("cases:create"),
            reverse("cases:edit", args=[housing_case.pk]),
            reverse("cases:analysis_edit", args=[housing_case.pk]),
            reverse("recommendations:create"),
            reverse("recommendations:edit", args=[draft.pk]),
            reverse("recommendations:detail", args=[draft.pk]),
            reverse("reforms:measure_list"),
            reverse("cases:list"),
        ],
        officer: [
            reverse("reforms:plan", args=[issued.pk]),
            reverse("reforms:measure_edit", args=[measure.pk]),
            reverse("reforms:measure_detail", args=[measure.pk]),
        ],
    }


def test_no_page_form_shows_dashes(browse, pages):
    chose = False
    for user, urls in pages.items():
        client = browse(user)
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
            assert "---------" not in response.text, url
            chose = chose or "请选择" in response.text
    assert chose


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("1250000.00"), "1,250,000.00"),
        (Decimal("0"), "0.00"),
        (Decimal("999.5"), "999.50"),
        (None, ""),
    ],
)
def test_an_amount_reads_with_thousands_separators(value, shown):
    assert yuan(value) == shown


def test_the_case_pages_show_the_amount_grouped(world, browse):
    the_case = factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
        amount=Decimal("1250000.00"),
    )
    client = browse(world.users.city_staff)
    for url in (reverse("cases:list"), reverse("cases:detail", args=[the_case.pk])):
        page = client.get(url).text
        assert "1,250,000.00" in page, url
        assert "1250000.00" not in page, url


def test_a_reminder_wears_the_colour_the_measure_wears(world, browse):
    """临近时限 and 即将到期 are 临期 (due soon): yellow, as the measure's badge shows it."""
    officer = world.users.housing_officer
    Kind = Notification.Kind
    for kind in (Kind.GREEN, Kind.YELLOW, Kind.RED, Kind.URGING, Kind.WORKFLOW):
        Notification.objects.create(recipient=officer, kind=kind, title=f"t-{kind}", link="/")

    page = browse(officer).get(reverse("notifications")).text

    badges = {
        title: css
        for css, title in re.findall(
            r'<span class="badge me-1 ([^"]*)" data-testid="kind">[^<]*</span><strong>t-(\w+)<',
            page,
        )
    }
    assert badges == {
        "green": "signal signal-yellow",
        "yellow": "signal signal-yellow",
        "red": "signal signal-red",
        "urging": "signal signal-red",
        "workflow": "text-bg-secondary",
    }
    assert Signal.YELLOW == "yellow"  # the same names as the measure's signal badge


# --- One glossary (docs/glossary.md): the form, the page and the documents say the same word ----

SAME_WORD = [
    # (the page's msgid, the model field whose label the forms, Excel and PDFs use, the word)
    ("Trajectory", ("cases", "CaseAnalysis", "trajectory"), "蜕变轨迹"),
    ("Root causes", ("cases", "CaseAnalysis", "root_causes"), "深层次原因"),
    ("Loopholes", ("cases", "CaseAnalysis", "loopholes"), "制度漏洞"),
    ("Lessons", ("cases", "CaseAnalysis", "lessons"), "警示教训"),
    ("Accountable leader", ("reforms", "Measure", "leader_name"), "责任领导"),
    ("Name", ("cases", "Subject", "name"), "姓名"),
]


@pytest.mark.parametrize("page_msgid, field, word", SAME_WORD)
def test_the_page_and_the_form_use_one_word(page_msgid, field, word):
    from django.apps import apps

    app, model, name = field
    with translation.override("zh-hans"):
        assert translation.gettext(page_msgid) == word
        assert str(apps.get_model(app, model)._meta.get_field(name).verbose_name) == word


def test_the_analysis_report_is_headed_by_the_same_words():
    from oversight.documents import ANALYSIS_SECTIONS, _analysis_heading

    headings = [_analysis_heading(field, number) for field, number in ANALYSIS_SECTIONS]
    assert headings == ["二、蜕变轨迹", "三、深层次原因", "四、制度漏洞", "五、警示教训"]


def test_a_person_is_named_by_their_full_name_on_the_case_form(world, browse):
    page = browse(world.users.city_staff).get(reverse("cases:create")).text
    assert ">姓名<" in page or ">姓名\n" in page or "姓名</label>" in page


def test_chinese_text_has_full_width_colons_and_one_word_for_the_leader(
    world, housing_case, browse
):
    staff, officer = world.users.city_staff, world.users.housing_officer
    issued = factories.issued_recommendation(staff=staff, the_case=housing_case)
    factories.measure(recommendation=issued, actor=officer)

    page = browse(officer).get(reverse("reforms:plan", args=[issued.pk])).text

    assert "完成标准：" in page
    assert "完成标准:" not in page
    assert "整改方案：" in page or "整改方案:" not in page
    assert "责任领导" in page
    assert "分管领导" not in page
