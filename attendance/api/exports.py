"""Export API: start a report export as a background job, then poll it and download the file.

``POST /api/v1/exports/`` answers 202 with the job id; ``GET /api/v1/exports/{id}/`` gives
``status`` (pending, running, done, failed), ``progress`` (0–100), ``rows`` and, when done,
``download_url``. Jobs are visible to their owner only (others get 404); a unit outside the
caller's scope is a 404 too.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from attendance.models import ExportJob, ExportStatus
from attendance.selectors import reports
from attendance.services import export_jobs
from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.schema import ErrorSerializer, PortalAutoSchema
from portal.models import AsnType


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = _("Berkas ekspor sudah kedaluwarsa; buat ekspor baru.")


class ExportCreateSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=list(reports.REPORTS))
    unit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                    help_text="Unit id; its sub-units are included. Empty: the caller's whole scope.")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="For tk-cumulative (default: the year of `month`, else this year).")
    start = fields.DateField(required=False, help_text="With `end`, instead of `month`.")
    end = fields.DateField(required=False)
    employee = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    asn_type = serializers.ChoiceField(choices=AsnType.choices, required=False, allow_blank=True)
    format = serializers.ChoiceField(choices=list(export_jobs.FORMATS))

    def validate(self, attrs):
        if not (attrs.get("month") or attrs.get("year") or (attrs.get("start") and attrs.get("end"))):
            raise serializers.ValidationError({"month": ["Isi month (YYYY-MM), year, atau start dan end."]})
        return attrs


class ExportJobSerializer(serializers.ModelSerializer):
    # Plain strings in the schema: an enum named "status" would collide with the request/correction ones.
    status = serializers.CharField(read_only=True, help_text="pending, running, done or failed")
    format = serializers.CharField(read_only=True, help_text="csv, csv-id (semicolon, decimal comma), xlsx or pdf")
    download_url = serializers.SerializerMethodField(help_text="Present when done and not expired.")
    unit = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "report", "format", "status", "progress", "rows", "unit", "period", "filename", "error",
                  "created_at", "finished_at", "expires_at", "download_url"]

    def get_download_url(self, job) -> str | None:
        if job.status != ExportStatus.DONE or not job.file:
            return None
        if job.expires_at is not None and job.expires_at <= timezone.now():
            return None
        url = reverse("api-export-file", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_unit(self, job) -> int | None:
        return job.params.get("unit")

    def get_period(self, job) -> str:
        return job.params.get("label", "")


CREATE_EXAMPLE = OpenApiExample("Monthly recap as XLSX", request_only=True,
                                value={"report": "monthly-recap", "unit": 12, "month": "2026-11", "format": "xlsx"})


class ExportListView(generics.ListAPIView):
    schema = PortalAutoSchema()
    serializer_class = ExportJobSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ExportJob.objects.none()
        return ExportJob.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(summary="My export jobs", tags=["exports"], description="Newest first; only the caller's own.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Start a report export", tags=["exports"], request=ExportCreateSerializer,
                   responses={202: ExportJobSerializer}, examples=[CREATE_EXAMPLE],
                   description="Runs in the background; poll `GET /api/v1/exports/{id}/`. `pdf` only for "
                               "`monthly-recap`. A unit or employee outside the caller's scope: 404.")
    def post(self, request):
        serializer = ExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = export_jobs.export_job_create(
            actor=request.user, report=data["report"], unit_id=data.get("unit"), month=data.get("month"),
            year=data.get("year"), start=data.get("start"), end=data.get("end"), format=data["format"],
            filters={"employee": data.get("employee"), "asn_type": data.get("asn_type", "")})
        job.refresh_from_db()  # an eager worker may have finished it already
        body = ExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(generics.GenericAPIView):
    schema = PortalAutoSchema()
    serializer_class = ExportJobSerializer

    @extend_schema(summary="One export job: status, progress, download link", tags=["exports"],
                   description="404 for anyone but the owner.")
    def get(self, request, pk: int):
        job = export_jobs.export_job_for_owner(request.user, pk)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


# What each export format is served as (the schema lists exactly these).
FILE_MEDIA_TYPES = {"csv": "text/csv", "pdf": "application/pdf",
                    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportFileView(generics.GenericAPIView):
    schema = PortalAutoSchema()
    serializer_class = ExportJobSerializer  # for the schema only

    @extend_schema(summary="Download an export file", tags=["exports"],
                   responses={**{(200, media): OpenApiTypes.BINARY for media in FILE_MEDIA_TYPES.values()},
                              410: OpenApiResponse(ErrorSerializer, description="Expired (24 hours after it ran).")},
                   description="The owner only, while the job's unit is still in their scope (else 404); "
                               "410 after the 24-hour expiry.")
    def get(self, request, pk: int):
        try:
            job = export_jobs.export_job_for_download(request.user, pk)
        except export_jobs.ExportExpired:
            raise Gone() from None
        media = FILE_MEDIA_TYPES.get(job.format, "application/octet-stream")
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=media)
