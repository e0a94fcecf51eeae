"""The shared taxonomies: the stages and violation types the letters name are seeded by migration
and the system administrator (only) edits the lists in the back office."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from cases.models import ProcessStage, ViolationType

seed_more = importlib.import_module("cases.migrations.0005_seed_more_taxonomies")

NAMED_BY_THE_LETTERS = {
    ProcessStage: ["“三重一大”集体决策", "一把手和领导班子监督", "项目审批", "财政资金管理"],
    ViolationType: ["严重违纪违法", "权力寻租"],
}


@pytest.mark.django_db
class TestSeededByMigration:
    def test_the_named_entries_are_there(self):
        for model, names in NAMED_BY_THE_LETTERS.items():
            present = set(model.objects.values_list("name", flat=True))
            assert set(names) <= present, model

    def test_other_stays_last(self):
        for model in NAMED_BY_THE_LETTERS:
            assert list(model.objects.all())[-1].name == "其他"

    def test_running_it_again_changes_nothing(self):
        before = {
            model: list(model.objects.values_list("name", "position"))
            for model in NAMED_BY_THE_LETTERS
        }
        seed_more.seed(apps, None)
        for model, rows in before.items():
            assert list(model.objects.values_list("name", "position")) == rows

    def test_an_entry_an_admin_removed_comes_back_and_others_are_kept(self):
        ProcessStage.objects.filter(name="项目审批").delete()
        ProcessStage.objects.create(name="自定义环节", position=99)
        seed_more.seed(apps, None)
        assert ProcessStage.objects.filter(name="项目审批").count() == 1
        assert ProcessStage.objects.filter(name="自定义环节").exists()


def _admin_url(model, view, *args):
    return reverse(f"admin:cases_{model._meta.model_name}_{view}", args=args)


@pytest.mark.django_db
class TestEditedBySystemAdministrator:
    @pytest.mark.parametrize("model", [ProcessStage, ViolationType])
    def test_system_admin_adds_changes_and_deletes(self, client, world, model):
        client.force_login(world.users.system_admin)
        assert client.get(_admin_url(model, "changelist")).status_code == 200
        response = client.post(_admin_url(model, "add"), {"name": "新环节", "position": 50})
        assert response.status_code == 302
        entry = model.objects.get(name="新环节")
        response = client.post(
            _admin_url(model, "change", entry.pk), {"name": "改名", "position": 51}
        )
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.name, entry.position) == ("改名", 51)
        response = client.post(_admin_url(model, "delete", entry.pk), {"post": "yes"})
        assert response.status_code == 302
        assert not model.objects.filter(pk=entry.pk).exists()

    @pytest.mark.parametrize("who", ["city_staff", "supervisor", "security_admin", "audit_admin"])
    def test_others_cannot_change_the_lists(self, client, world, who):
        user = getattr(world.users, who)
        stage = ProcessStage.objects.get(name="项目审批")
        assert not user.has_perm("cases.add_processstage")
        assert not user.has_perm("cases.change_processstage", stage)
        assert not user.has_perm("cases.delete_violationtype")
        client.force_login(user)
        response = client.post(_admin_url(ProcessStage, "add"), {"name": "x", "position": 1})
        assert response.status_code == 403
        assert not ProcessStage.objects.filter(name="x").exists()
