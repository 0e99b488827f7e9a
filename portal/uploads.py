"""Evidence uploads: PDF, PNG or JPEG up to 5 MB, recognised by content, not by name.

One check for every upload of evidence (request evidence, attendance corrections), used by the
services, so the page and the API accept exactly the same files.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = {b"%PDF": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}
ACCEPT = "application/pdf,image/png,image/jpeg"


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes announce, or None when not an accepted kind."""
    for magic, mime in SIGNATURES.items():
        if head.startswith(magic):
            return mime
    return None


def sniff_file(file) -> str | None:
    """Sniff an open file (upload or stored file) and leave its position at the start."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    return sniff(head)


def check_evidence(upload, field: str = "evidence") -> str:
    """Validate one upload; returns its MIME type. Raises ValidationError({field: ...})."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({field: _("Berkas %(name)s lebih dari 5 MB.") % {"name": upload.name}})
    upload.seek(0)
    mime = sniff(upload.read(8))
    upload.seek(0)
    if mime is None:
        raise ValidationError({field: _("Berkas %(name)s harus PDF, PNG atau JPEG.") % {"name": upload.name}})
    return mime
