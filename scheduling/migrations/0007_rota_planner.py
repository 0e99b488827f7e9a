"""Weekday preferences and rota plans (issue 14.1)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('scheduling', '0006_emergency'),
        ('portal', '0001_organisation_calendar_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RotaPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='bulan')),
                ('include_subunits', models.BooleanField(default=False, verbose_name='termasuk unit di bawahnya')),
                ('status', models.CharField(choices=[('draft', 'Usulan'), ('publishing', 'Sedang diterbitkan'),
                                                     ('published', 'Diterbitkan')],
                                            default='draft', max_length=10, verbose_name='status')),
                ('cells', models.JSONField(blank=True, default=dict)),
                ('fairness', models.JSONField(blank=True, default=dict)),
                ('outcome', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                                 to=settings.AUTH_USER_MODEL)),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                   related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                           to='portal.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'rencana rota',
                'verbose_name_plural': 'rencana rota',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='WeekdayPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('preferred', models.JSONField(blank=True, default=list, verbose_name='hari yang diinginkan')),
                ('impossible', models.JSONField(blank=True, default=list, verbose_name='hari yang tidak memungkinkan')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('employee', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                  related_name='weekday_preference', to='portal.employee',
                                                  verbose_name='pegawai')),
            ],
            options={
                'verbose_name': 'preferensi hari kerja fleksibel',
                'verbose_name_plural': 'preferensi hari kerja fleksibel',
            },
        ),
        migrations.AddIndex(
            model_name='rotaplan',
            index=models.Index(fields=['unit', 'month'], name='rota_plan_unit_month'),
        ),
        migrations.AddField(
            model_name='workrequest',
            name='rota_plan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='scheduling.rotaplan'),
        ),
    ]
