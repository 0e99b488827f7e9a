"""Keep personal data out of the logs.

:class:`PersonalDataFilter` sits on the log handlers (``LOGGING`` in portal/settings.py)
and masks NIPs / NI PPPK (18 digits, grouped or not, also URL-encoded), e-mail
addresses and calendar feed secrets (the key in a feed's address) in the final message, its
arguments and any traceback text. Access-log lines carry paths and query strings
("?q=19860926201505...", "/kalender/<secret>.ics") and error messages quote input values, so
the mask works on the rendered text rather than trusting each call site.
"""

from __future__ import annotations

import logging
import re

NIP_MASK = "[NIP]"
EMAIL_MASK = "[email]"
FEED_MASK = "[secret]"  # what a calendar feed's key is written as

# Separators people type between NIP groups, raw or URL-encoded (space, +, %20, dot, dash).
_SEP = r"(?:[ .+\-]|%20)?"
NIP_PATTERN = re.compile(rf"(?<![0-9])[0-9]{{8}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{_SEP}[0-9]{{3}}(?![0-9])")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


# A calendar feed's address is its only key (/kalender/<secret>.ics): the
# access log would otherwise keep every subscriber's key for whoever reads the logs.
FEED_SECRET_PATTERN = re.compile(r"(/kalender/)[^/\s?\"]+(\.ics)")


def mask_personal_data(text: str) -> str:
    """The text with every NIP, e-mail address and calendar feed secret replaced by a placeholder."""
    text = FEED_SECRET_PATTERN.sub(rf"\g<1>{FEED_MASK}\g<2>", text)
    return NIP_PATTERN.sub(NIP_MASK, EMAIL_PATTERN.sub(EMAIL_MASK, text))


class PersonalDataFilter(logging.Filter):
    """Mask NIPs, e-mail addresses and feed secrets in a record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the handler's to report
            return True
        # Render once and drop the args: an argument's str() may hold the data too.
        record.msg, record.args = mask_personal_data(message), None
        if record.exc_info and not record.exc_text:
            # Formatter.format reuses exc_text, so the masked traceback is what gets written.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
