"""The default evaluation template: the seed's three questions (是否精准制发纪检监察建议书、是否深入
整改到位、是否达到整改预期效果) as eleven weighted indicators, weights adding up to 100 and each
scored up to its weight (so the total is the sum of the indicators' mean scores). The system
administrator edits it, or a copy of it, in the back office."""

from django.db import migrations

NAME = "以案促改质效评估指标（默认）"
DESCRIPTION = (
    "对是否精准制发纪检监察建议书、是否深入整改到位、是否达到整改预期效果进行重点评估；"
    "每项指标满分即其权重，合计100分。"
)
# (group, name, guidance, weight, metric)
INDICATORS = [
    ("precise", "问题查找精准", "建议事项紧扣案件暴露的制度漏洞、风险点和监管空白点", 10, "problems"),
    ("precise", "建议针对性和可操作性", "建议事项具体、可落实、可检验", 10, "items"),
    ("precise", "整改责任和措施明确", "每项建议都有责任领导、责任部门、责任人、时限和标准", 5, "measures"),
    ("thorough", "按期销号", "整改措施按时限完成并经核查销号", 15, "on_time_rate"),
    ("thorough", "销号质量", "销号一次通过，无纸面整改、整改不到位被退回", 10, "returns"),
    ("thorough", "延期情况", "无正当理由不延期，延期经审批", 5, "extensions"),
    ("thorough", "佐证材料完整", "每项措施有真实、完整的佐证材料", 10, "evidence_per_measure"),
    ("thorough", "整改成果巩固", "回头看未发现整改反弹", 5, "rebounds"),
    ("effective", "制度建设", "制度立改废释，堵塞漏洞、规范权力运行", 15, "rule_changes"),
    ("effective", "警示教育和专题活动", "警示教育、专题民主生活会、约谈、轮岗等", 10, "activities"),
    ("effective", "同类问题未再发生", "整改后本单位、本行业同类问题未再发生", 5, "recurrences"),
]


def seed(apps, schema_editor):
    template_model = apps.get_model("recommendations", "EvaluationTemplate")
    indicator_model = apps.get_model("recommendations", "EvaluationIndicator")
    template, created = template_model.objects.get_or_create(
        name=NAME, defaults={"description": DESCRIPTION, "is_active": True}
    )
    if not created:
        return
    for position, (group, name, guidance, weight, metric) in enumerate(INDICATORS, start=1):
        indicator_model.objects.create(
            template=template,
            group=group,
            name=name,
            guidance=guidance,
            weight=weight,
            max_score=weight,
            metric=metric,
            position=position,
        )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0006_evaluation_sessions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
