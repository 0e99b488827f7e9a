"""The rule facts' version token (portal.facts): its row, and the triggers that change it on every
write to portal's rule tables (the unit tree and its time zones, the calendar overrides, working
patterns and Ramadan hours). scheduling/0010 adds its own tables."""

import secrets

from django.db import migrations, models

from portal.facts import trigger_operation


def first_token(apps, schema_editor):
    apps.get_model("portal", "RuleFactsVersion").objects.update_or_create(
        pk=1, defaults={"token": secrets.token_hex(16)})


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0007_audit_chain"),
    ]

    operations = [
        migrations.CreateModel(
            name="RuleFactsVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "rule facts version",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
        trigger_operation("portal", ["Unit", "CalendarOverride", "WorkPattern", "WorkPatternDay", "RamadanPeriod"]),
    ]
