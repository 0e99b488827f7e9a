"""Calendar feed tokens (issue 14.3)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('scheduling', '0007_rota_planner'),
        ('portal', '0007_audit_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('own', 'Rencana kerja saya'), ('team', 'Kehadiran tim')],
                                          max_length=8, verbose_name='jenis')),
                ('secret_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='dibuat')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='terakhir dibaca')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='dicabut')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='berlaku sampai')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feed_tokens',
                                            to=settings.AUTH_USER_MODEL, verbose_name='pemilik')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                           related_name='+', to='portal.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'tautan kalender',
                'verbose_name_plural': 'tautan kalender',
                'ordering': ['-created_at'],
                'constraints': [
                    models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('owner', 'kind'),
                                            name='feed_token_one_active_per_owner_kind'),
                    models.CheckConstraint(condition=models.Q(models.Q(('kind', 'team'), ('unit__isnull', False)),
                                                              models.Q(('kind', 'own'), ('unit__isnull', True)),
                                                              _connector='OR'),
                                           name='feed_token_team_has_unit'),
                ],
            },
        ),
    ]
