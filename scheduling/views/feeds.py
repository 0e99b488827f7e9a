"""Calendar feeds: the "Kalender di ponsel" page (make, reset, revoke an address) and the feed itself.

The feed (``/kalender/<secret>.ics``) has no session and needs none: the secret is the only
credential, it opens that one feed, and it neither logs anybody in nor reaches another page. A
secret that opens nothing (unknown, revoked, expired, or whose owner lost the feed) answers the same
404 with a short translated text, and writes nothing (docs/decisions.md, "Calendar feeds").
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from icalendar import Calendar, Event, Timezone, vText

from portal.selectors import current_employee
from scheduling.models import FeedKind
from scheduling.selectors import feeds
from scheduling.services.feeds import feed_token_reset, feed_token_revoke, feed_token_touch

PRODID = "-//Portal Kerja Fleksibel ASN//Kalender//ID"
REFRESH = "PT6H"  # a hint to calendar apps; Google and iOS choose their own interval anyway

# --- The feed -------------------------------------------------------------------------------------


@require_safe  # calendar apps may ask HEAD first
def calendar_feed(request, token: str):
    """The iCalendar of one token. ``If-None-Match`` with the current ETag answers 304."""
    found = feeds.live_token(token)
    if found is None:
        return _not_found()
    with translation.override(found.owner.language or "id"):
        feed = feeds.feed_for(found)
        body = feed_ics(feed)
    feed_token_touch(found)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(False, _filename(feed))
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


def _not_found() -> HttpResponse:
    text = _("Kalender tidak ditemukan. Tautan ini mungkin sudah dicabut atau kedaluwarsa; "
             "buat tautan baru di portal, menu Saya › Kalender di ponsel.")
    response = HttpResponse(text + "\n", status=404, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _filename(feed: feeds.Feed) -> str:
    return "rencana-kerja.ics" if feed.token.kind == FeedKind.OWN else "kehadiran-tim.ics"


def feed_ics(feed: feeds.Feed) -> bytes:
    """RFC 5545 text: all-day events (dates carry no zone), the unit's zone as VTIMEZONE and
    X-WR-TIMEZONE so an app that shows times shows them in the unit's zone."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", vText(feed.name))  # TEXT, so escaped (an X- property is raw otherwise)
    cal.add("x-wr-timezone", feed.time_zone)
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    cal.add_component(Timezone.from_tzid(feed.time_zone))
    for item in feed.events:
        cal.add_component(_event(item, feed.stamp))
    return cal.to_ical()


def _event(item: feeds.FeedEvent, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", (item.stamp or stamp).astimezone(dt.UTC))
    event.add("dtstart", item.date)
    event.add("dtend", item.date + dt.timedelta(days=1))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    event.add("status", "TENTATIVE" if item.tentative else "CONFIRMED")
    event.add("transp", "OPAQUE" if item.busy else "TRANSPARENT")
    event.add("class", "PRIVATE")
    return event


# --- "Kalender di ponsel" -----------------------------------------------------------------------


class FeedActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("reset", gettext_lazy("Buat tautan baru")),
                                        ("revoke", gettext_lazy("Cabut tautan"))])
    kind = forms.ChoiceField(choices=FeedKind.choices)
    unit = forms.IntegerField(required=False, min_value=1)


def feed_url(request, secret: str) -> str:
    return request.build_absolute_uri(reverse("scheduling:calendar-feed", kwargs={"token": secret}))


def webcal_url(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_feeds(request):
    """The person's feeds. A new address is shown once, in the answer to the POST that made it
    (never stored, never put in the session): lost, it can only be replaced."""
    me = current_employee(request.user)  # a page of employees; HR-only accounts have no plan
    context = {"issued": None, "form_errors": [], "revoked": None, "tz": me.unit.effective_time_zone,
               "tz_abbreviation": me.unit.tz_abbreviation}
    if request.method == "POST":
        context.update(_act(request))
    context["choices"] = feeds.feed_choices(request.user)
    return render(request, "scheduling/feeds/feeds.html", context)


def _act(request) -> dict:
    form = FeedActionForm(request.POST)
    if not form.is_valid():
        return {"form_errors": [e for errors in form.errors.values() for e in errors]}
    data = form.cleaned_data
    if data["action"] == "revoke":
        token = feed_token_revoke(actor=request.user, kind=data["kind"])
        return {"revoked": token, "form_errors": [] if token else [_("Tidak ada tautan aktif untuk dicabut.")]}
    try:
        issued = feed_token_reset(actor=request.user, kind=data["kind"], unit_id=data["unit"])
    except ValidationError as exc:
        return {"form_errors": exc.messages}
    url = feed_url(request, issued.secret)
    return {"issued": {"kind": issued.token.kind, "url": url, "webcal": webcal_url(url)}}
