"""The AuditEntry moved here from ``accounts``: the state only — the tables
(``accounts_…``) stay as they are, with their rows, indexes, constraints and triggers — and the
content types follow, so permissions and admin history keep pointing at them."""

import django.core.serializers.json
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="accounts", model__in=['auditentry']).update(
        app_label="audit"
    )


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="audit", model__in=['auditentry']).update(
        app_label="accounts"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0010_notification_kind_workflow"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                        ('user_id', models.PositiveIntegerField(blank=True, null=True, verbose_name='account id')),
                        ('username', models.CharField(blank=True, max_length=150, verbose_name='account')),
                        ('role', models.CharField(blank=True, choices=[('discipline_staff', 'Discipline staff'), ('unit_officer', 'Case-unit officer'), ('supervisor', 'Supervisor'), ('system_admin', 'System administrator'), ('security_admin', 'Security administrator'), ('audit_admin', 'Audit administrator')], max_length=32, verbose_name='role')),
                        ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('action', models.CharField(choices=[('login', 'Log in'), ('login_failed', 'Failed login'), ('logout', 'Log out'), ('create', 'Create'), ('update', 'Update'), ('transition', 'State change'), ('delete', 'Delete'), ('view', 'View'), ('download', 'Download'), ('export', 'Export')], max_length=16, verbose_name='action')),
                        ('object_type', models.CharField(blank=True, max_length=100, verbose_name='object type')),
                        ('object_id', models.CharField(blank=True, max_length=64, verbose_name='object id')),
                        ('object_repr', models.CharField(blank=True, max_length=200, verbose_name='object')),
                        ('changes', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='changes')),
                        ('outcome', models.CharField(choices=[('success', 'Succeeded'), ('failure', 'Refused or failed')], default='success', max_length=8, verbose_name='outcome')),
                        ('detail', models.CharField(blank=True, max_length=300, verbose_name='detail')),
                    ],
                    options={
                        'verbose_name': 'audit log entry',
                        'verbose_name_plural': 'audit log',
                        'db_table': 'accounts_auditentry',
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['username', 'at'], name='audit_user_at'), models.Index(fields=['object_type', 'object_id'], name='audit_object')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
