"""Every write to scheduling's rule tables (coverage policies and their essential positions,
emergencies, FWA windows, leave kinds' rules, and the units they name) changes the rule facts'
version token (portal.facts; the token's row and portal's own tables: portal/0008)."""

from django.db import migrations

from portal.facts import trigger_operation


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0008_rule_facts_version"),
        ("scheduling", "0009_drop_covered_indexes"),
    ]

    operations = [
        trigger_operation("scheduling", ["CoveragePolicy", "EssentialPosition", "Emergency", "FwaWindow", "KindRule"],
                          through=[("Emergency", "units"), ("FwaWindow", "units")]),
    ]
