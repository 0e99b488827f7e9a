"""A punch waits for its day status (status_due_at, with a partial index of the punches waiting),
and the beat's row that derives whatever a lost message left waiting."""

from django.db import migrations, models


def install(apps, schema_editor):
    from attendance.tasks import install_default_schedule as install_defaults

    install_defaults(apps.get_model("django_celery_beat", "PeriodicTask"),
                     apps.get_model("django_celery_beat", "CrontabSchedule"),
                     apps.get_model("django_celery_beat", "IntervalSchedule"))


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0010_drop_covered_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="punch",
            name="status_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="punch",
            index=models.Index(condition=models.Q(("status_due_at__isnull", False)), fields=["status_due_at"],
                               name="punch_status_due"),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
