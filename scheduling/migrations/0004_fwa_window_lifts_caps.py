from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0003_coverage_policy_legal_basis"),
    ]

    operations = [
        migrations.AddField(
            model_name="fwawindow",
            name="lifts_caps",
            field=models.BooleanField(default=True, verbose_name="bebaskan dari batas hari fleksibel"),
        ),
    ]
