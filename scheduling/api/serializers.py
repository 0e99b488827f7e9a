"""Shapes of the scheduling API. Input is validated strictly here; rules live in services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.serializers import EmployeeRefSerializer, UnitRefSerializer
from portal.models import Unit
from portal.selectors import display_name, employee_of
from scheduling import rules
from scheduling.models import Kind, RequestDay, Status, Step
from scheduling.selectors import MAX_RANGE_DAYS, request_files
from scheduling.services.requests import MAX_EVIDENCE_FILES, too_many_files_message

MAX_TEXT = 4000  # free text (reason, work plan...): a page of prose, not a file
MAX_COVERAGE_DAYS = 93  # about a quarter: one screen of the coverage calendar
MAX_BULK_IDS = 500


# --- Input ---------------------------------------------------------------------------

def _text(label, max_length=MAX_TEXT, help_text=""):
    # DRF's CharField already refuses NUL bytes (ProhibitNullCharactersValidator).
    return serializers.CharField(label=label, max_length=max_length, required=False, allow_blank=True,
                                 default="", help_text=help_text)


class DateSelectionSerializer(serializers.Serializer):
    """Which days: a list of dates, or a range optionally narrowed to some weekdays."""

    kind = serializers.ChoiceField(label=_("Jenis"), choices=Kind.choices)
    dates = serializers.ListField(
        label=_("Tanggal"), child=fields.DateField(), required=False, allow_empty=False,
        max_length=MAX_RANGE_DAYS, help_text="ISO dates (YYYY-MM-DD); instead of start/end.")
    start = fields.DateField(label=_("Mulai"), required=False)
    end = fields.DateField(label=_("Sampai"), required=False)
    weekdays = serializers.ListField(
        label=_("Pola hari"), child=serializers.IntegerField(min_value=0, max_value=6), required=False,
        allow_empty=False, max_length=7, help_text="With start/end only: 0=Monday … 6=Sunday.")
    special_circumstance = serializers.BooleanField(label=_("Keadaan khusus"), required=False, default=False)

    def validate(self, attrs):
        dates, start, end = attrs.get("dates"), attrs.get("start"), attrs.get("end")
        if dates and (start or end):
            raise serializers.ValidationError(
                {"dates": [_("Isi daftar tanggal atau rentang mulai–sampai, bukan keduanya.")]})
        if not dates and not (start and end):
            field = "end" if start else "start" if end else "dates"
            raise serializers.ValidationError({field: [_("Pilih satu tanggal, rentang tanggal, atau pola hari.")]})
        if attrs.get("weekdays") and dates:
            raise serializers.ValidationError({"weekdays": [_("Pola hari hanya dipakai dengan rentang tanggal.")]})
        if start and end:
            if end < start:
                raise serializers.ValidationError({"end": [_("Tanggal akhir tidak boleh sebelum tanggal mulai.")]})
            if (end - start).days > MAX_RANGE_DAYS:
                raise serializers.ValidationError(
                    {"end": [_("Rentang paling panjang %(n)d hari.") % {"n": MAX_RANGE_DAYS}]})
        if dates:
            attrs["dates"] = sorted(set(dates))
        return attrs


class RequestInputSerializer(DateSelectionSerializer):
    location = _text(_("Lokasi kerja"), max_length=255, help_text="Required for WFA.")
    other_office = serializers.PrimaryKeyRelatedField(
        label=_("Kantor tujuan"), queryset=Unit.objects.filter(is_active=True), required=False, allow_null=True,
        help_text="Unit id of another office of the caller's institution (kind KANTOR_LAIN).")
    reason = _text(_("Alasan / keterangan"))
    child_order = serializers.IntegerField(
        label=_("Kelahiran anak ke-"), min_value=1, max_value=20, required=False, allow_null=True,
        help_text="Required for cuti melahirkan (kind CM): which birth (1–3; a PNS asks cuti besar from the 4th).")
    abroad = serializers.BooleanField(
        label=_("Cuti dijalani di luar negeri"), required=False, default=False,
        help_text="Leave taken abroad: only the definitive official grants it, never a Plh/Plt (SE BKN 1/SE/I/2021).")
    work_plan = _text(_("Rencana kerja"), help_text="Required for keadaan khusus.")
    expected_outputs = _text(_("Target keluaran"), help_text="Required for keadaan khusus.")
    justification = _text(_("Justifikasi"), help_text="Required when a day only passes with a warning.")
    skip_blocked = serializers.BooleanField(
        label=_("Lewati hari yang ditolak"), required=False, default=False,
        help_text="Save the passing days and report the blocked ones instead of refusing the whole request.")
    evidence = serializers.ListField(
        label=_("Bukti pendukung"), child=serializers.FileField(max_length=200), required=False,
        max_length=MAX_EVIDENCE_FILES, error_messages={"max_length": lazy(too_many_files_message, str)()},
        help_text=f"Multipart only: PDF, PNG or JPEG up to 5 MB each, at most {MAX_EVIDENCE_FILES} files. "
                  "Required when `POST /requests/preview/` answers a `document_required` (e.g. a doctor's letter "
                  "for sick leave past the first day, the assignment letter for dinas luar, evidence for "
                  "keadaan khusus); else 400 on `evidence`.")

    def validate_other_office(self, unit):
        request = self.context.get("request")
        me = employee_of(request.user) if request else None
        # Another office of the *same* institution: a unit elsewhere is "not found", like a bad id.
        if unit is not None and (me is None or unit.ancestor_ids[0] != me.unit.ancestor_ids[0]):
            raise serializers.ValidationError(_("Kantor tujuan tidak ditemukan di instansi Anda."))
        return unit


class ReasonSerializer(serializers.Serializer):
    reason = _text(_("Alasan"), help_text="Required to approve over a warning.")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("Alasan penolakan"), max_length=MAX_TEXT,
                                   error_messages={"blank": _("Alasan penolakan wajib diisi."),
                                                   "required": _("Alasan penolakan wajib diisi.")})


class BulkDecideSerializer(serializers.Serializer):
    ids = serializers.ListField(label=_("Hari pengajuan"),
                                child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                allow_empty=False, max_length=MAX_BULK_IDS)
    action = serializers.ChoiceField(label=_("Aksi"), choices=[("approve", _("Setujui")), ("reject", _("Tolak"))])
    reason = _text(_("Alasan"), help_text="Required for reject, and to approve over a warning.")

    def validate(self, attrs):
        if attrs["action"] == "reject" and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": [_("Alasan penolakan wajib diisi.")]})
        attrs["ids"] = list(dict.fromkeys(attrs["ids"]))  # unique, order kept
        return attrs


class CoverageQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(label=_("Unit"), min_value=1, max_value=MAX_ID)
    start = fields.DateField(label=_("Mulai"))
    end = fields.DateField(label=_("Sampai"))

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("Tanggal akhir tidak boleh sebelum tanggal mulai.")]})
        if (attrs["end"] - attrs["start"]).days + 1 > MAX_COVERAGE_DAYS:
            raise serializers.ValidationError(
                {"end": [_("Paling banyak %(n)d hari sekali minta.") % {"n": MAX_COVERAGE_DAYS}]})
        return attrs


# --- Output --------------------------------------------------------------------------

class VerdictSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="coverage, weekly_cap, monthly_cap, mandatory_weekday, blackout, "
                                           "essential, disciplinary, new_placement, duplicate, past.")
    severity = serializers.ChoiceField(choices=[rules.BLOCK, rules.WARN, rules.INFO])
    params = serializers.DictField(help_text="The numbers the message names.")
    message = serializers.CharField(help_text="In the request's language.")


def localized_verdicts(stored: list[dict]) -> list[dict]:
    """Stored verdicts with the message rendered again in the caller's language."""
    out = []
    for v in stored or ():
        try:
            message = rules.render_message(v["rule"], v.get("params") or {})
        except (KeyError, TypeError, ValueError):
            message = v.get("message", "")  # an older shape: keep what was stored
        out.append({**v, "message": message})
    return out


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    content_type = serializers.CharField(help_text="application/pdf, image/png or image/jpeg (by content).")
    size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.SerializerMethodField(help_text="Download link (who may see the day is checked again).")

    def get_name(self, evidence) -> str:
        return evidence.file.name.rsplit("/", 1)[-1]

    def get_url(self, evidence) -> str:
        return reverse("scheduling:request-evidence", args=[evidence.pk])


class ChoiceLabelField(serializers.CharField):
    """The label of a choice (what ``get_FOO_display`` returns), looked up in the choices read once
    per serializer: ``get_FOO_display`` rebuilds and hashes the lazily translated choices on every
    call, which for the three labels of a page of 50 days was a third of its serializing."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        self.translated: dict[tuple[str | None, str], str] = {}
        super().__init__(**kwargs)

    def to_representation(self, value):
        # Translating a lazy label walks the catalogues on every str(): 150 times for a page of 50
        # days. The label of a value in a language never changes while the process runs.
        key = (get_language(), value)
        label = self.translated.get(key)
        if label is None:
            label = self.translated[key] = str(self.labels.get(value, value))
        return label


# Unbound fields that RequestDaySerializer.to_representation formats with (they keep no state).
_DAY = serializers.DateField()
_MOMENT = serializers.DateTimeField()
_EVIDENCE = EvidenceSerializer()


class RequestDaySerializer(serializers.ModelSerializer):
    """One day of a request, as seen by its employee, approver or HR."""

    kind_display = ChoiceLabelField(Kind.choices, source="kind")
    status_display = ChoiceLabelField(Status.choices, source="status")
    employee = EmployeeRefSerializer()
    unit = UnitRefSerializer()
    location = serializers.CharField(source="request.location")
    special_circumstance = serializers.BooleanField(source="request.special_circumstance")
    reason = serializers.CharField(source="request.reason")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    verdicts = serializers.SerializerMethodField()
    # The manager, not its ``.all``: DRF inspects a callable source's signature on every read.
    evidence = EvidenceSerializer(source="request.evidence", many=True,
                                  help_text="The request's supporting files (a doctor's letter, a surat tugas...).")
    awaiting = serializers.ChoiceField(
        choices=Step.choices, help_text="Who a pending day waits for: `supervisor` (atasan langsung) or `official` "
                                        "(the pejabat yang berwenang memberikan cuti, after the atasan langsung "
                                        "agreed).")
    awaiting_display = ChoiceLabelField(Step.choices, source="awaiting")
    official_name = serializers.SerializerMethodField(help_text="The official who decides, once forwarded.")
    endorsed_by_name = serializers.SerializerMethodField(help_text="The atasan langsung who agreed and forwarded.")

    class Meta:
        model = RequestDay
        fields = ["id", "request", "date", "kind", "kind_display", "status", "status_display", "employee", "unit",
                  "location", "special_circumstance", "reason", "verdicts", "decided_by", "decided_at",
                  "acting_for", "decision_reason", "auto_approved", "evidence", "awaiting", "awaiting_display",
                  "official_name", "endorsed_by_name", "endorsed_at", "endorsed_acting_for", "emergency"]
        read_only_fields = fields
        extra_kwargs = {"emergency": {"help_text": "The emergency (`/emergencies/{id}/`) in force for the unit and "
                                                   "date when the day was decided, if any."}}

    @extend_schema_field(VerdictSerializer(many=True))
    def get_verdicts(self, day) -> list[dict]:
        return localized_verdicts(day.verdicts)

    def get_official_name(self, day) -> str | None:
        return day.official.name if day.official_id else None

    def get_endorsed_by_name(self, day) -> str | None:
        return display_name(day.endorsed_by) if day.endorsed_by_id else None

    def to_representation(self, day):
        """The fields above, written out: DRF's walk over 26 declared fields (their source paths,
        a callable check on each step, a nested serializer per reference) cost more than the
        rest of serializing a page of 50 days (the inbox, the request list). The declaration
        stays the schema; tests/scheduling/test_day_representation.py holds this equal to
        DRF's generic representation for every shape of day. It reads the class's declared fields
        and the module's unbound ones below, not ``self.fields``: DRF deep-copies every declared
        field into each serializer on first use, a fixed cost of each single-day response."""
        request, employee, unit, fields = day.request, day.employee, day.unit, self._declared_fields
        moment = _MOMENT.to_representation
        return {
            "id": day.pk, "request": day.request_id, "date": _DAY.to_representation(day.date),
            "kind": day.kind, "kind_display": fields["kind_display"].to_representation(day.kind),
            "status": day.status, "status_display": fields["status_display"].to_representation(day.status),
            "employee": {"id": employee.pk, "name": employee.name},
            "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
            "location": request.location, "special_circumstance": request.special_circumstance,
            "reason": request.reason, "verdicts": self.get_verdicts(day),
            "decided_by": day.decided_by.username if day.decided_by_id else None,
            "decided_at": moment(day.decided_at) if day.decided_at else None,
            "acting_for": day.acting_for, "decision_reason": day.decision_reason,
            "auto_approved": day.auto_approved,
            "evidence": [_EVIDENCE.to_representation(e) for e in request_files(request)],
            "awaiting": day.awaiting, "awaiting_display": fields["awaiting_display"].to_representation(day.awaiting),
            "official_name": self.get_official_name(day), "endorsed_by_name": self.get_endorsed_by_name(day),
            "endorsed_at": moment(day.endorsed_at) if day.endorsed_at else None,
            "endorsed_acting_for": day.endorsed_acting_for, "emergency": day.emergency_id,
        }


class SubmittedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = fields.DateField()
    status = serializers.ChoiceField(choices=Status.choices)
    verdicts = serializers.SerializerMethodField()

    @extend_schema_field(VerdictSerializer(many=True))
    def get_verdicts(self, day) -> list[dict]:
        return localized_verdicts(day.verdicts)


class SkippedSerializer(serializers.Serializer):
    date = fields.DateField()
    reason = serializers.CharField(help_text="Weekend, or the holiday's name.")


class DayPreviewSerializer(serializers.Serializer):
    """The verdicts for one day, with the unit's numbers behind them."""

    date = fields.DateField()
    worst = serializers.CharField(allow_null=True, help_text="The most serious severity: block, warn, info or null.")
    blocked = serializers.BooleanField()
    verdicts = VerdictSerializer(many=True)
    unit = serializers.CharField(required=False)
    headcount = serializers.IntegerField(required=False)
    in_office_before = serializers.IntegerField(required=False)
    in_office_after = serializers.IntegerField(required=False)
    required = serializers.IntegerField(required=False, help_text="Minimum in the office that day.")
    share = serializers.IntegerField(required=False, allow_null=True)


class PreviewDaySerializer(DayPreviewSerializer):
    nearest = serializers.ListField(child=fields.DateField(), required=False,
                                    help_text="For a blocked day: the nearest working days that would pass.")


class DocumentRequiredSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The document, e.g. \"Surat keterangan dokter\".")
    reason = serializers.CharField(help_text="Why it is required, e.g. \"cuti sakit lebih dari 1 hari\".")


class PreviewSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when there is a working day and none is blocked.")
    days = PreviewDaySerializer(many=True)
    skipped = SkippedSerializer(many=True)
    document_required = DocumentRequiredSerializer(
        allow_null=True, help_text="The document to attach (as `evidence`) for the days that would be saved, or null.")


class SubmitResultSerializer(serializers.Serializer):
    request = serializers.IntegerField(help_text="Id of the request (header).")
    items = SubmittedItemSerializer(many=True)
    blocked = DayPreviewSerializer(many=True, help_text="Days left out (only with skip_blocked).")
    skipped = SkippedSerializer(many=True)


class DecisionSerializer(serializers.Serializer):
    item = RequestDaySerializer()
    changed = serializers.BooleanField(help_text="False when the day was already decided (e.g. a double click).")


class BulkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = fields.DateField(required=False)
    ok = serializers.BooleanField(help_text="Approved, rejected, or (leave) agreed and forwarded to the official.")
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    awaiting = serializers.ChoiceField(choices=Step.choices, required=False,
                                       help_text="`official` when approving forwarded the day to the official.")
    error = serializers.CharField(allow_blank=True)
    verdicts = VerdictSerializer(many=True, required=False,
                                 help_text="Every verdict the refused decision met, as the inbox card lists them.")


class BulkDecisionSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True, help_text="In the order the days were decided (by date).")
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()


class CoverageDaySerializer(serializers.Serializer):
    date = fields.DateField()
    headcount = serializers.IntegerField(help_text="Active staff of the unit.")
    away = serializers.IntegerField(help_text="Approved away (plus pending if the policy counts them).")
    in_office = serializers.IntegerField(help_text="Projected in the office.")
    minimum = serializers.IntegerField(help_text="Required in the office by the effective policy.")
    remaining = serializers.IntegerField(help_text="Flexible slots left before the minimum.")
    working = serializers.BooleanField()
    holiday = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="ok; tight (no flexible slot left); below (under the minimum); "
                                             "off (not a working day).")


class CoverageSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    start = fields.DateField()
    end = fields.DateField()
    days = CoverageDaySerializer(many=True)


class DecisionCheckSerializer(serializers.Serializer):
    """What approving a pending day would meet now: the inbox card, and the decision endpoints'
    refusals (``error.verdicts``)."""

    day = serializers.IntegerField()
    date = fields.DateField()
    worst = serializers.CharField(allow_null=True, help_text="The most serious severity: block, warn, info or null.")
    blocked = serializers.BooleanField(help_text="Approving is refused whatever the reason.")
    needs_reason = serializers.BooleanField(help_text="Approving passes only with a `reason` (a warning).")
    verdicts = VerdictSerializer(many=True, help_text="Eligibility, caps, coverage, essential positions, documents, "
                                                      "leave balance and length, the approval chain; most serious "
                                                      "first.")
    forwards_to = serializers.CharField(allow_null=True, help_text="The official approving forwards the day to "
                                                                   "(null: approving grants it).")
    reserved = serializers.BooleanField(help_text="Only the definitive official decides it, not this Plh/Plt.")
    can_reject = serializers.BooleanField()
    acting_for = serializers.CharField(allow_blank=True, help_text="The Plh/Plt title the decision is taken under.")


class InboxItemSerializer(serializers.Serializer):
    item = RequestDaySerializer(source="day")
    # A nested field, not a method building a serializer per card: its fields are made once a page.
    check = DecisionCheckSerializer(source="check.data", read_only=True,
                                    help_text="What approving it would meet now.")
    headcount = serializers.IntegerField()
    before = serializers.IntegerField(help_text="In the office that day before this approval.")
    after = serializers.IntegerField(help_text="In the office after it.")
    minimum = serializers.IntegerField()
    below = serializers.BooleanField(help_text="Approving would take the unit below its minimum.")
    flexible = serializers.BooleanField(help_text="WFH/WFA/other office (else an absence).")

    def to_representation(self, card):
        """The fields above, written out (see :meth:`RequestDaySerializer.to_representation`; the
        same test holds the two equal)."""
        fields = self.fields
        return {"item": fields["item"].to_representation(card.day),
                "check": fields["check"].to_representation(card.check.data),
                "headcount": card.headcount, "before": card.before, "after": card.after, "minimum": card.minimum,
                "below": card.below, "flexible": card.flexible}
