"""The shared taxonomies every commission starts from; admins extend them in the back office."""

from django.db import migrations

VIOLATION_TYPES = [
    "受贿", "行贿", "贪污", "挪用公款", "滥用职权", "玩忽职守", "利用职权为他人谋利",
    "违反中央八项规定精神", "违规插手工程项目", "违规选人用人", "失职失责", "其他",
]

PROCESS_STAGES = [
    "招投标", "资金拨付", "选人用人", "行政审批", "工程监管", "项目验收", "物资采购",
    "财务管理", "资产处置", "执法监管", "医保基金管理", "惠农补贴发放", "其他",
]


def seed(apps, schema_editor):
    for model_name, names in (("ViolationType", VIOLATION_TYPES), ("ProcessStage", PROCESS_STAGES)):
        model = apps.get_model("cases", model_name)
        for position, name in enumerate(names, start=1):
            model.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
