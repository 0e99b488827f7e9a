"""The audit hash chain and signed checkpoints (issue 14.4; portal/services/audit_chain.py).

Events already in the trail are chained here, per chain in id order, as the owner of the table:
on PostgreSQL the append-only trigger (0003) is disabled for this one UPDATE pass and enabled
again in the same transaction, so no other session ever sees it off. From then on every event is
chained as it is inserted. The nightly checkpoint joins the beat schedule (also listed in
attendance.tasks.DEFAULTS, installed by name, whichever migration runs first).
"""

import django.utils.timezone
from django.db import migrations, models

TRIGGER = "portal_auditevent_append_only"
BATCH = 1000
CHECKPOINT_TASK = ("Titik periksa rantai audit", "portal.audit_checkpoint", "50", "23")


def _trigger(schema_editor, table: str, action: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # Fixed names and the model's own table name, no input.
        schema_editor.execute(f"ALTER TABLE {table} {action} TRIGGER {TRIGGER}")  # nosec B608


def chain_existing(apps, schema_editor):
    from portal.services.audit_chain import GENESIS, event_hash

    AuditEvent = apps.get_model("portal", "AuditEvent")
    Unit = apps.get_model("portal", "Unit")
    Head = apps.get_model("portal", "AuditChainHead")
    if not AuditEvent.objects.exists():
        return
    roots = {pk: (path.strip("/").split("/")[0] if path else pk)
             for pk, path in Unit.objects.values_list("pk", "path")}
    heads: dict[str, tuple[int, str]] = {}
    table = schema_editor.quote_name(AuditEvent._meta.db_table)
    _trigger(schema_editor, table, "DISABLE")
    batch = []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=BATCH):
        event.chain = f"instansi:{roots[event.unit_id]}" if event.unit_id in roots else "global"
        seq, prev = heads.get(event.chain, (0, GENESIS))
        event.seq, event.prev_hash = seq + 1, prev
        event.hash = event_hash(event)
        heads[event.chain] = (event.seq, event.hash)
        batch.append(event)
        if len(batch) == BATCH:
            AuditEvent.objects.bulk_update(batch, ["chain", "seq", "prev_hash", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["chain", "seq", "prev_hash", "hash"])
    _trigger(schema_editor, table, "ENABLE")
    Head.objects.bulk_create([Head(chain=c, seq=s, hash=h) for c, (s, h) in heads.items()])


def install_checkpoint_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    name, task, minute, hour = CHECKPOINT_TASK
    if PeriodicTask.objects.filter(name=name).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(minute=minute, hour=hour, day_of_week="*", day_of_month="*",
                                                      month_of_year="*", timezone="Asia/Jakarta")
    PeriodicTask.objects.create(name=name, task=task, kwargs="{}", crontab=crontab)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_employee_service_start"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default="", max_length=64)),
            ],
            options={
                "verbose_name": "ujung rantai audit",
                "verbose_name_plural": "ujung rantai audit",
            },
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain", models.CharField(db_index=True, max_length=40, verbose_name="rantai")),
                ("seq", models.PositiveBigIntegerField(verbose_name="urutan")),
                ("head_hash", models.CharField(max_length=64, verbose_name="hash ujung")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="dibuat")),
                ("key_id", models.CharField(help_text="Sidik jari kunci penanda tangan (bukan kuncinya).",
                                            max_length=16, verbose_name="sidik kunci")),
                ("signature", models.CharField(max_length=64, verbose_name="tanda tangan")),
            ],
            options={
                "verbose_name": "titik periksa audit",
                "verbose_name_plural": "titik periksa audit",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="global", editable=False, max_length=40, verbose_name="rantai"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash sebelumnya"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name="urutan dalam rantai"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="waktu"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.AddIndex(
            model_name="auditcheckpoint",
            index=models.Index(fields=["chain", "-created_at"], name="audit_checkpoint_chain"),
        ),
        migrations.RunPython(install_checkpoint_schedule, migrations.RunPython.noop),
    ]
