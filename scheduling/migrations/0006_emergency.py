"""Emergency mode (issue 14.2): declared emergencies, and the emergency a request day was decided under."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [('scheduling', '0005_leave'), ('portal', '0007_audit_chain'),
                    migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name='Emergency',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='nama keadaan darurat')),
                ('legal_basis', models.CharField(max_length=255, verbose_name='dasar hukum (surat edaran)')),
                ('document_ref', models.CharField(blank=True, max_length=255, verbose_name='nomor / tautan dokumen')),
                ('profile', models.CharField(choices=[('essential_only', 'Hanya jabatan esensial di kantor'), ('caps_lifted', 'Batas hari fleksibel dicabut'), ('wfh_auto', 'WFH/WFA disetujui otomatis'), ('all_in_office', 'Semua pegawai di kantor')], max_length=16, verbose_name='profil')),
                ('start', models.DateField(verbose_name='mulai')),
                ('end', models.DateField(verbose_name='selesai')),
                ('last_day', models.DateField(verbose_name='berlaku sampai')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('ended_early_at', models.DateTimeField(blank=True, null=True, verbose_name='diakhiri lebih awal')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('units', models.ManyToManyField(related_name='emergencies', to='portal.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'keadaan darurat',
                'verbose_name_plural': 'keadaan darurat',
                'ordering': ['-start', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='requestday',
            name='emergency',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='decided_days', to='scheduling.emergency', verbose_name='diputus dalam keadaan darurat'),
        ),
        migrations.AddIndex(
            model_name='emergency',
            index=models.Index(fields=['last_day', 'start'], name='emergency_in_force'),
        ),
        migrations.AddConstraint(
            model_name='emergency',
            constraint=models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='emergency_end_after_start'),
        ),
        migrations.AddConstraint(
            model_name='emergency',
            constraint=models.CheckConstraint(condition=models.Q(('last_day__lte', models.F('end'))), name='emergency_last_day_by_end'),
        ),
    ]
