"""Per-month freshness markers for recaps (issue 15.3)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [('attendance', '0007_schedule_rows_for_closings_and_daily_reminders'),
                    ('scheduling', '0008_calendar_feeds')]

    operations = [
        migrations.CreateModel(
            name='RecapFreshness',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='bulan')),
                ('through', models.DateField(verbose_name='final sampai')),
                ('computed_at', models.DateTimeField()),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                           to='portal.unit')),
            ],
            options={
                'verbose_name': 'kesegaran rekap',
                'verbose_name_plural': 'kesegaran rekap',
                'constraints': [models.UniqueConstraint(fields=('unit', 'month'), name='recap_freshness_unit_month')],
            },
        ),
    ]
