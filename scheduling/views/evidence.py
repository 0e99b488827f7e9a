"""Downloads of a request's supporting files (a doctor's letter, a surat tugas...)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from portal.uploads import SIGNATURES
from scheduling.selectors.evidence import evidence_for_download


@login_required
@require_GET
def evidence_download(request, pk: int):
    """The file, for whoever may see a day of its request; 404 for anyone else.

    Always an attachment with the type sniffed at upload (and nosniff from the middleware), so a
    file can never be rendered as a page of the portal; ``private, no-store`` because it may be
    a medical letter.
    """
    evidence = evidence_for_download(request.user, pk)
    try:
        file = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    mime = evidence.content_type if evidence.content_type in SIGNATURES.values() else "application/octet-stream"
    response = FileResponse(file, as_attachment=True, filename=evidence_filename(evidence), content_type=mime)
    response["Cache-Control"] = "private, no-store"
    return response


def evidence_filename(evidence) -> str:
    return evidence.file.name.rsplit("/", 1)[-1]
