"""The nightly day-status pass as batches (NightlyRun, NightlyBatch) and the schedule row of its sweep."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from attendance.tasks import install_default_schedule as install_defaults

    install_defaults(apps.get_model("django_celery_beat", "PeriodicTask"),
                     apps.get_model("django_celery_beat", "CrontabSchedule"),
                     apps.get_model("django_celery_beat", "IntervalSchedule"))


class Migration(migrations.Migration):
    dependencies = [("attendance", "0008_recap_freshness")]

    operations = [
        migrations.CreateModel(
            name="NightlyRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True, verbose_name="tanggal")),
                ("start", models.DateField()),
                ("end", models.DateField()),
                ("began_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("tk_checked_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"verbose_name": "hitung ulang malam", "verbose_name_plural": "hitung ulang malam"},
        ),
        migrations.CreateModel(
            name="NightlyBatch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_employee", models.BigIntegerField()),
                ("last_employee", models.BigIntegerField()),
                ("sent_at", models.DateTimeField()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("rows", models.PositiveIntegerField(default=0)),
                ("institution", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                  to="portal.unit")),
                ("run", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="batches",
                                          to="attendance.nightlyrun")),
            ],
            options={
                "verbose_name": "kelompok hitung ulang malam",
                "verbose_name_plural": "kelompok hitung ulang malam",
                "indexes": [models.Index(condition=models.Q(("done_at__isnull", True)), fields=["run", "institution"],
                                         name="nightly_batch_pending")],
            },
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
