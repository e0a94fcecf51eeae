"""The audit log's chain (``audit/chain.py``): each entry's HMAC-SM3 code, and the walks that
verify it (``AuditVerification``).

The column is added by hand, with a database default, so that SQLite adds it in place: Django
would rebuild the table, and the rebuild would drop its append-only trigger. ``at`` changes in the
state only (set before sealing instead of by ``auto_now_add``; the column is the same).
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditVerification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('ok', models.BooleanField(default=False, verbose_name='chain intact')),
                ('checked', models.PositiveBigIntegerField(default=0, verbose_name='entries checked')),
                ('last_entry_id', models.BigIntegerField(blank=True, null=True, verbose_name='last entry')),
                ('last_mac', models.CharField(blank=True, max_length=64, verbose_name='last chain code')),
                ('broken_position', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='broken at position')),
                ('broken_entry_id', models.BigIntegerField(blank=True, null=True, verbose_name='broken at entry')),
                ('detail', models.CharField(blank=True, max_length=300, verbose_name='detail')),
            ],
            options={
                'verbose_name': 'audit log verification',
                'verbose_name_plural': 'audit log verifications',
                'ordering': ['-started_at', '-pk'],
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE accounts_auditentry ADD COLUMN mac varchar(64) NOT NULL DEFAULT ''",
                    "ALTER TABLE accounts_auditentry DROP COLUMN mac",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name='auditentry',
                    name='mac',
                    field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='chain code'),
                ),
                migrations.AlterField(
                    model_name='auditentry',
                    name='at',
                    field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='time'),
                ),
            ],
        ),
    ]
