"""The 负面清单 as PDF: rendered by WeasyPrint for real and read back, for the list's readers only
(out of scope: 404), saying whether it is in force, and printing no case content."""

import datetime

import pytest
from django.urls import reverse

from cases.models import ProcessStage
from negativelists.models import NegativeList, NegativeListEntry
from tests import pdf

ENTRIES = (
    ("工程项目招投标", "严禁插手干预工程项目招投标、指定施工单位", "prohibitive"),
    ("资金拨付", "大额资金拨付须经集体研究，严禁个人审批", "prohibitive"),
    ("", "每季度开展一次廉政风险排查", "preventive"),
)


@pytest.fixture
def negative_list(world, housing_case):
    """The housing bureau's published list for party-member cadres, drawn from its case."""
    listed = NegativeList.objects.create(
        unit=world.units.housing,
        tier=NegativeList.Tier.PARTY_MEMBERS,
        title="长春市住房和城乡建设局党员干部履职用权负面清单",
        status=NegativeList.Status.PUBLISHED,
        published_on=datetime.date(2026, 11, 20),
        created_by=world.users.housing_officer,
    )
    listed.source_cases.add(housing_case)
    stage = ProcessStage.objects.order_by("position").first()
    for number, (risk, requirement, kind) in enumerate(ENTRIES, start=1):
        NegativeListEntry.objects.create(
            negative_list=listed,
            number=number,
            risk_point=risk,
            requirement=requirement,
            kind=kind,
            process_stage=stage if number == 1 else None,
        )
    return listed


def download(browse, user, negative_list):
    return browse(user).get(reverse("documents:negative_list_pdf", args=[negative_list.pk]))


@pytest.mark.parametrize("reader", ["housing_officer", "city_staff", "supervisor"])
def test_the_list_prints_its_entries_in_order_and_when_it_was_published(
    world, browse, negative_list, housing_case, reader
):
    response = download(browse, getattr(world.users, reader), negative_list)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf.compact(response.content)
    assert "长春市住房和城乡建设局党员干部履职用权负面清单" in text
    assert "2026年11月20日印发" in text
    assert "适用对象：党员干部" in text and "共3条" in text
    positions = [text.index(requirement) for _risk, requirement, _kind in ENTRIES]
    assert positions == sorted(positions)
    assert "禁止性" in text and "预防性" in text
    assert ProcessStage.objects.order_by("position").first().name in text
    assert housing_case.title not in text  # the cases behind it are not printed


def test_a_draft_and_a_withdrawn_list_say_they_are_not_in_force(world, browse, negative_list):
    staff = world.users.city_staff
    NegativeList.objects.filter(pk=negative_list.pk).update(status=NegativeList.Status.DRAFT)
    assert "草稿，未印发" in pdf.compact(download(browse, staff, negative_list).content)

    NegativeList.objects.filter(pk=negative_list.pk).update(
        status=NegativeList.Status.WITHDRAWN, withdrawn_on=datetime.date(2026, 12, 1)
    )
    text = pdf.compact(download(browse, staff, negative_list).content)
    assert "已于2026年12月1日废止，仅供查阅" in text


@pytest.mark.parametrize("outsider", ["health_officer", "other_staff"])
def test_readers_out_of_scope_get_nothing(world, browse, negative_list, outsider):
    assert download(browse, getattr(world.users, outsider), negative_list).status_code == 404


def test_every_font_is_embedded(world, browse, negative_list):
    fonts = pdf.fonts(download(browse, world.users.city_staff, negative_list).content)
    assert fonts and all(font["embedded"] for font in fonts)
