"""The 负面清单 as PDF: rendered by WeasyPrint for real and read back, for the list's readers only
(out of scope: 404), saying whether it is in force, and printing no case content."""

import pytest
from django.urls import reverse

from cases.models import ProcessStage
from core.domain import shanghai_today
from negativelists import services
from tests import pdf

from .conftest import draft

TITLE = "长春市住房和城乡建设局党员干部履职用权负面清单"
ENTRIES = (
    ("工程项目招投标", "严禁插手干预工程项目招投标、指定施工单位", "prohibitive"),
    ("资金拨付", "大额资金拨付须经集体研究，严禁个人审批", "prohibitive"),
    ("", "每季度开展一次廉政风险排查", "preventive"),
)


def in_words(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def negative_list(world, housing_case):
    """The housing bureau's draft list for party-member cadres, drawn from its case."""
    staff = world.users.city_staff
    listed = draft(staff, unit=world.units.housing, title=TITLE)
    services.list_update(
        negative_list=listed,
        actor=staff,
        tier=listed.tier,
        title=TITLE,
        source_cases=[housing_case],
    )
    stage = ProcessStage.objects.order_by("position").first()
    for number, (risk, requirement, kind) in enumerate(ENTRIES, start=1):
        services.entry_add(
            negative_list=listed,
            actor=staff,
            risk_point=risk,
            requirement=requirement,
            kind=kind,
            process_stage=stage if number == 1 else None,
        )
    return listed


@pytest.fixture
def published(world, negative_list):
    return services.list_publish(negative_list=negative_list, actor=world.users.city_staff)


def download(browse, user, negative_list):
    return browse(user).get(reverse("documents:negative_list_pdf", args=[negative_list.pk]))


@pytest.mark.parametrize("reader", ["housing_officer", "city_staff", "supervisor"])
def test_the_list_prints_its_entries_in_order_and_when_it_was_published(
    world, browse, published, housing_case, reader
):
    response = download(browse, getattr(world.users, reader), published)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf.compact(response.content)
    assert TITLE in text
    assert f"{in_words(shanghai_today())}印发" in text
    assert "适用对象：党员干部" in text and "共3条" in text
    positions = [text.index(requirement) for _risk, requirement, _kind in ENTRIES]
    assert positions == sorted(positions)
    assert "禁止性" in text and "预防性" in text
    assert ProcessStage.objects.order_by("position").first().name in text
    assert housing_case.title not in text  # the cases behind it are not printed


def test_a_draft_and_a_withdrawn_list_say_they_are_not_in_force(world, browse, negative_list):
    staff = world.users.city_staff
    assert "草稿，未印发" in pdf.compact(download(browse, staff, negative_list).content)

    services.list_publish(negative_list=negative_list, actor=staff)
    services.list_withdraw(negative_list=negative_list, actor=staff)
    text = pdf.compact(download(browse, staff, negative_list).content)
    assert f"已于{in_words(shanghai_today())}废止，仅供查阅" in text
    assert "印发" not in text


@pytest.mark.parametrize("outsider", ["health_officer", "other_staff"])
def test_readers_out_of_scope_get_nothing(world, browse, negative_list, outsider):
    assert download(browse, getattr(world.users, outsider), negative_list).status_code == 404


def test_every_font_is_embedded(world, browse, negative_list):
    fonts = pdf.fonts(download(browse, world.users.city_staff, negative_list).content)
    assert fonts and all(font["embedded"] for font in fonts)


def test_the_lists_page_links_to_it(world, browse, negative_list):
    page = browse(world.users.housing_officer).get(
        reverse("negativelists:detail", args=[negative_list.pk])
    )
    assert reverse("documents:negative_list_pdf", args=[negative_list.pk]) in page.content.decode()
