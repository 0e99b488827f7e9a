from django.db import migrations


def install(apps, schema_editor):
    """Adds schedule rows introduced after 0002 (install_defaults skips existing names)."""
    from attendance.tasks import install_default_schedule as install_defaults

    install_defaults(apps.get_model("django_celery_beat", "PeriodicTask"),
                     apps.get_model("django_celery_beat", "CrontabSchedule"),
                     apps.get_model("django_celery_beat", "IntervalSchedule"))


class Migration(migrations.Migration):
    dependencies = [("attendance", "0002_default_beat_schedule")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
