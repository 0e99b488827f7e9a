"""No personal data in logs: NIPs and e-mail addresses are masked in every written line."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest
from django.conf import settings

from portal.logging import EMAIL_MASK, FEED_MASK, NIP_MASK, PersonalDataFilter, mask_personal_data
from portal.rules import format_nip

NIP = "198609262015051001"


@pytest.fixture
def captured():
    """The project's LOGGING, with the console handler writing into a buffer."""
    stream = io.StringIO()
    config = {**settings.LOGGING, "handlers": {
        name: {**handler, "stream": stream} for name, handler in settings.LOGGING["handlers"].items()}}
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.parametrize("text", [
    NIP, format_nip(NIP), "19860926-201505-1-001", "19860926+201505+1+001", "19860926%20201505%201%20001",
])
def test_it_masks_a_nip_however_it_is_written(text):
    assert mask_personal_data(f"q={text}&x=1") == f"q={NIP_MASK}&x=1"


@pytest.mark.parametrize("text", ["ani.lestari@dinkes.example.go.id", "ani%40example.go.id", "A+b@x.co"])
def test_it_masks_an_email_address(text):
    assert mask_personal_data(f"to {text}.") == f"to {EMAIL_MASK}."


def test_a_calendar_feed_secret_stays_out_of_the_access_log(captured):
    """The feed's address is its only key: whoever reads the logs must not be able to subscribe."""
    secret = "k3Y_-9xQ2vLr8TzA0bC4dE6fG1hJ5mN7pR0sU2wY4a"
    logging.getLogger("gunicorn.access").info('%(h)s "GET /kalender/%(t)s.ics HTTP/1.1" 200', {"h": "10.0.0.9",
                                                                                           "t": secret})
    written = captured.getvalue()
    assert f"/kalender/{FEED_MASK}.ics" in written and secret not in written
    assert mask_personal_data("/rencana/kalender-ponsel/") == "/rencana/kalender-ponsel/"  # the page, not a feed


def test_it_leaves_other_numbers_alone():
    text = "unit 42, 17 digits 12345678901234567, 19 digits 1234567890123456789, 2026-12-02 08:00"
    assert mask_personal_data(text) == text


def test_it_masks_message_args_and_traceback_of_a_record():
    try:
        raise ValueError(f"duplicate nip {NIP}")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "import %s for %s", (format_nip(NIP), "ani@example.go.id"),
            exc_info=__import__("sys").exc_info())
    assert PersonalDataFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert NIP not in text and format_nip(NIP) not in text and "ani@example.go.id" not in text
    assert text.startswith(f"import {NIP_MASK} for {EMAIL_MASK}")
    assert f"duplicate nip {NIP_MASK}" in text


def test_it_masks_the_request_log_with_its_query_string(captured, client, db):
    # An unknown page under a query that names a NIP: django.request logs the 404.
    client.get(f"/tidak-ada/{NIP}/", {"q": format_nip(NIP), "email": "ani@example.go.id"})
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /hr/?q={NIP}&e=ani%40example.go.id HTTP/1.1",
                                            200, 10)
    logging.getLogger("gunicorn.access").info("%(r)s %(s)s", {"r": f"GET /api/v1/employees/?nip={NIP}", "s": 200})
    written = captured.getvalue()
    assert "Not Found" in written and "django.server" in written and "gunicorn.access" in written
    assert NIP not in written and "ani@example.go.id" not in written and "ani%40example.go.id" not in written
    assert written.count(NIP_MASK) == 3


def test_it_masks_what_the_application_logs(captured):
    logging.getLogger("portal.services.people").warning("employee %s (%s) not imported", NIP, "ani@example.go.id")
    written = captured.getvalue()
    assert f"employee {NIP_MASK} ({EMAIL_MASK}) not imported" in written
