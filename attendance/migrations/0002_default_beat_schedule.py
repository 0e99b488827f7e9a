from django.db import migrations


def install(apps, schema_editor):
    from attendance.tasks import install_default_schedule as install_defaults

    install_defaults(apps.get_model("django_celery_beat", "PeriodicTask"),
                     apps.get_model("django_celery_beat", "CrontabSchedule"),
                     apps.get_model("django_celery_beat", "IntervalSchedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0001_staffing_punches_corrections_exports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
