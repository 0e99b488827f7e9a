"""An email backend for the drills: each message is a file in ``DRILL_MAIL_DIR``, sent slowly.

A real SMTP server accepts a message and then the sender records it as sent; this backend does the
same with a file (written, then fsync'd, before ``send_messages`` returns) so a drill can count how
many times each message went out, even across a killed worker.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(os.environ["DRILL_MAIL_DIR"])
        delay = float(os.environ.get("DRILL_MAIL_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            path = folder / f"{uuid.uuid4().hex}.eml"
            with path.open("w") as out:
                out.write(message.subject + "\n")
                out.flush()
                os.fsync(out.fileno())
        return len(email_messages)


def sent_subjects(folder: Path) -> list[str]:
    return [p.read_text().splitlines()[0] for p in folder.glob("*.eml")]
