"""The Notification, Digest moved here from ``accounts``: the state only — the tables
(``accounts_…``) stay as they are, with their rows, indexes, constraints and triggers — and the
content types follow, so permissions and admin history keep pointing at them."""

import core.domain
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="accounts", model__in=['digest', 'notification']).update(
        app_label="notifications"
    )


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="notifications", model__in=['digest', 'notification']).update(
        app_label="accounts"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0010_notification_kind_workflow"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('green', 'Deadline approaching'), ('yellow', 'Deadline imminent'), ('red', 'Overdue'), ('urging', 'Urging notice'), ('report', 'Weekly report'), ('workflow', 'Workflow'), ('other', 'Message')], default='other', max_length=16, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', core.domain.BoundedTextField(blank=True, max_length=20000, verbose_name='body')),
                        ('link', models.CharField(blank=True, max_length=300, verbose_name='link')),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, verbose_name='deduplication key')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'accounts_notification',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Digest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('webhook', 'Enterprise messaging webhook')], max_length=16, verbose_name='channel')),
                        ('is_report', models.BooleanField(default=False, help_text='The weekly overdue report, not reminders.', verbose_name='weekly report')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', core.domain.BoundedTextField(blank=True, max_length=2000, verbose_name='last error')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                        ('attachment', models.FileField(blank=True, help_text="Sent with the message (the weekly report's PDF), the same file on every try.", upload_to='outbox/%Y/', verbose_name='attachment')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='digests', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                        ('notifications', models.ManyToManyField(related_name='digests', to='notifications.notification', verbose_name='notifications')),
                    ],
                    options={
                        'verbose_name': 'digest',
                        'verbose_name_plural': 'digests',
                        'db_table': 'accounts_digest',
                        'ordering': ['-day', 'recipient'],
                    },
                ),
                migrations.AddIndex(
                    model_name='notification',
                    index=models.Index(fields=['recipient', 'read_at'], name='notification_unread'),
                ),
                migrations.AddIndex(
                    model_name='notification',
                    index=models.Index(fields=['kind', 'created_at'], name='notification_kind_created'),
                ),
                migrations.AddConstraint(
                    model_name='notification',
                    constraint=models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('dedupe_key', 'recipient'), name='notification_written_once'),
                ),
                migrations.AddConstraint(
                    model_name='notification',
                    constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('body'), 20000)), name='notification_body_length'),
                ),
                migrations.AddIndex(
                    model_name='digest',
                    index=models.Index(fields=['status', 'day'], name='digest_status_day'),
                ),
                migrations.AddConstraint(
                    model_name='digest',
                    constraint=models.UniqueConstraint(fields=('recipient', 'day', 'channel', 'is_report'), name='digest_once_a_day'),
                ),
                migrations.AddConstraint(
                    model_name='digest',
                    constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('last_error'), 2000)), name='digest_last_error_length'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
