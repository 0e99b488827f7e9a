from django.db import migrations


def install(apps, schema_editor):
    """Adds the closing sweep; the missing check-in reminder now runs every day (six-day units
    and shift rosters work weekends; the task checks each person's schedule). A reminder row
    whose days HR already changed is left as HR set it."""
    from attendance.tasks import install_default_schedule as install_defaults

    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    install_defaults(PeriodicTask, CrontabSchedule, apps.get_model("django_celery_beat", "IntervalSchedule"))
    for task in PeriodicTask.objects.filter(task="attendance.missing_checkin_reminder",
                                            crontab__day_of_week="1-6").select_related("crontab"):
        old = task.crontab
        task.crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=old.minute, hour=old.hour, day_of_week="*", day_of_month=old.day_of_month,
            month_of_year=old.month_of_year, timezone=old.timezone)
        task.save(update_fields=["crontab"])


class Migration(migrations.Migration):
    dependencies = [("attendance", "0006_rules_versions_shifts_permissions"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
