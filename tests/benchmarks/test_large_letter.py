"""The bench's real-case letter is built in bulk and counted by 成效统计 like any other letter."""

from benchmarks.large_letter import Size, build_large_letter
from reforms.models import Measure


def test_the_large_letter_has_the_real_cases_proportions():
    size = Size.of(1200)
    assert size.problems >= 700 and size.rule_changes >= 300 and size.activities == 100


def test_the_large_letter_is_built_once_and_counted_by_the_statistics(world, browse):
    staff, unit = world.users.city_staff, world.units.housing
    letter = build_large_letter(staff=staff, unit=unit, measures=120)
    size = Size.of(120)
    assert letter.items.count() == 13
    assert build_large_letter(staff=staff, unit=unit, measures=120).pk == letter.pk

    body = browse(staff).get("/api/v1/statistics/", {"recommendation": letter.pk}).json()
    assert body["items"]["total"] == 13
    assert body["measures"]["total"] == size.measures
    assert body["problems"]["total"] == size.problems
    assert body["rule_changes"]["total"] == size.rule_changes
    assert body["activities"]["total"] == size.activities
    assert body["cases"]["total"] == 4
    assert Measure.objects.filter(item__recommendation=letter).overdue().exists()

    # Another size replaces it.
    smaller = build_large_letter(staff=staff, unit=unit, measures=60)
    assert Measure.objects.filter(item__recommendation=smaller).count() == 60
    assert not Measure.objects.filter(item__recommendation=letter.pk).exists()


def test_a_real_case_run_replaces_its_section_and_keeps_the_rest(tmp_path):
    from benchmarks.management.commands.bench import Command

    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n| hot path |\n\n## Notes\n\nkept\n")
    first = "\n### The real case: one letter of 13 items, 120 measures\n\n| a |\n"
    page.write_text(Command._with_real_case(page, first))
    again = "\n### The real case: one letter of 13 items, 1,200 measures\n\n| b |\n"
    text = Command._with_real_case(page, again)

    assert text.count("### The real case") == 1
    assert "| b |" in text and "| a |" not in text
    assert text.startswith("# Benchmarks\n\n| hot path |\n")
    assert text.endswith("## Notes\n\nkept\n")
    assert text.index("### The real case") < text.index("## Notes")
