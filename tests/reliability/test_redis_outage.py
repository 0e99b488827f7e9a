"""Drill: Redis (cache and broker, as in production) stopped, then hung, under real HTTP writes.

The promise (README, docs/reliability.md): a committed write never answers an error because of
Redis, and a hung Redis does not stall every request by a timeout. Employees submit days, their
supervisor approves, people check out and log in, against a live server whose cache and broker are
a ``redis-server`` this test stops and pauses. Every answer must be 2xx (and then committed) or
4xx (and then not committed); never 5xx. Latencies are measured per phase.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
import urllib.error
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from portal.celery import app as celery_app
from portal.resilience import broker_breaker, cache_breaker, counters
from scheduling.models import RequestDay, Status
from tests.factories import EmployeeFactory
from tests.workers import reset_producer_pools

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

FIRST_MONDAY = dt.date(2027, 1, 4)


class Client:
    def __init__(self, base: str, token: str = ""):
        self.base, self.token = base, token

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict, float]:
        data = json.dumps(body or {}).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST",
                                         headers={"Content-Type": "application/json", "Accept-Language": "id",
                                                  **({"Authorization": f"Token {self.token}"} if self.token else {})})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our live server
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        elapsed = time.perf_counter() - started
        try:
            return status, json.loads(payload or b"{}"), elapsed
        except ValueError:
            return status, {"raw": payload[:200].decode(errors="replace")}, elapsed


@pytest.fixture
def redis_everywhere(redis_server, settings):
    """Cache and broker on the drill's Redis; tasks really published (no worker: they queue up)."""
    settings.CACHES = {"default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": redis_server.url,
                                   "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}}
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.broker_transport_options = {"socket_timeout": 2, "socket_connect_timeout": 2, "max_retries": 1}
    celery_app.conf.task_always_eager = False
    reset_producer_pools()
    yield redis_server
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager = saved
    reset_producer_pools()
    for breaker in (broker_breaker, cache_breaker):
        breaker.succeeded()


@pytest.fixture
def office(bidang_p2p, kabid):
    people = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(24)]
    tokens = {p.pk: Token.objects.create(user=p.user).key for p in people}
    return people, tokens, Token.objects.create(user=kabid.user).key


class Drill:
    """The writes of the drill, and what each answered."""

    def __init__(self, base, people, tokens, boss_token):
        self.base, self.people, self.tokens = base, people, tokens
        self.boss = Client(base, boss_token)
        self.outcomes: list[dict] = []
        self.next_date = {p.pk: 0 for p in people}

    def _date_for(self, person) -> dt.date:
        n = self.next_date[person.pk]
        self.next_date[person.pk] += 1
        return FIRST_MONDAY + dt.timedelta(weeks=n)  # one Monday a week: never the weekly cap

    def submit(self, phase: str, person) -> None:
        date = self._date_for(person)
        status, body, elapsed = Client(self.base, self.tokens[person.pk]).post(
            "/api/v1/requests/", {"kind": "WFH", "dates": [date.isoformat()]})
        day_id = (body.get("items") or [{}])[0].get("id")
        self.outcomes.append({"phase": phase, "what": "submit", "status": status, "seconds": elapsed,
                              "person": person.pk, "date": date, "day": day_id})

    def approve(self, phase: str) -> None:
        pending = next((o for o in self.outcomes if o["what"] == "submit" and o["day"] and not o.get("decided")),
                       None)
        if pending is None:
            return
        pending["decided"] = True
        status, _body, elapsed = self.boss.post(f"/api/v1/requests/{pending['day']}/approve/")
        self.outcomes.append({"phase": phase, "what": "approve", "status": status, "seconds": elapsed,
                              "day": pending["day"]})

    def check_out(self, phase: str, person) -> None:
        status, _body, elapsed = Client(self.base, self.tokens[person.pk]).post("/api/v1/attendance/check-out/")
        self.outcomes.append({"phase": phase, "what": "check-out", "status": status, "seconds": elapsed,
                              "person": person.pk})

    def login(self, phase: str, person) -> None:
        status, _body, elapsed = Client(self.base).post(
            "/api/v1/auth/token/", {"username": person.user.username, "password": "rahasia-123"})
        self.outcomes.append({"phase": phase, "what": "login", "status": status, "seconds": elapsed})

    def round(self, phase: str, index: int) -> None:
        person = self.people[index % len(self.people)]
        self.submit(phase, person)
        if index % 3 == 0:
            self.approve(phase)
        if index % 4 == 0:
            self.check_out(phase, person)
        if index % 8 == 0:
            self.login(phase, person)

    def run(self, phase: str, seconds: float) -> None:
        deadline, index = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            self.round(phase, index)
            index += 1


def _summary(outcomes: list[dict]) -> dict:
    times = sorted(o["seconds"] for o in outcomes)
    quantile = statistics.quantiles(times, n=100) if len(times) >= 2 else times * 99
    return {"writes": len(times), "p50": round(statistics.median(times), 3), "p99": round(quantile[98], 3),
            "max": round(times[-1], 3), "over_1s": sum(t > 1.0 for t in times),
            "statuses": dict(sorted({s: sum(o["status"] == s for o in outcomes) for s in
                                     {o["status"] for o in outcomes}}.items()))}


def test_it_never_answers_an_error_for_a_committed_write_while_redis_is_down_or_hung(live_server, redis_everywhere,
                                                                                     office):
    people, tokens, boss_token = office
    drill = Drill(live_server.url, people, tokens, boss_token)
    drill.run("up", 3)
    redis_everywhere.stop()
    drill.run("down", 6)
    redis_everywhere.start()
    redis_everywhere.pause()
    drill.run("hung", 14)  # longer than a breaker window: Redis is tried again, and again times out
    redis_everywhere.resume()
    drill.run("back", 3)

    phases = {p: _summary([o for o in drill.outcomes if o["phase"] == p]) for p in ("up", "down", "hung", "back")}
    print("\nredis drill:", json.dumps(phases), "counters:", dict(counters))

    errors = [o for o in drill.outcomes if o["status"] >= 500]
    assert not errors, errors[:5]
    for outcome in drill.outcomes:
        if outcome["what"] == "submit":
            exists = RequestDay.objects.filter(employee_id=outcome["person"], date=outcome["date"],
                                               status__in=[Status.PENDING, Status.APPROVED]).exists()
            assert exists == (outcome["status"] == 201), outcome
        elif outcome["what"] == "approve" and outcome["status"] == 200:
            assert RequestDay.objects.get(pk=outcome["day"]).status == Status.APPROVED
    # Check-out and token login keep working with Redis away (their throttles fail open); with Redis up
    # the login throttle may refuse this one test client's burst (429), which is the throttle working.
    refused = [o for o in drill.outcomes if o["what"] in ("check-out", "login") and o["status"] != 200
               and not (o["phase"] in ("up", "back") and o["status"] == 429)]
    assert not refused, refused[:5]
    # A hung Redis costs at most one short timeout per client per breaker window, not one per request.
    # The worst request meets both breakers' probes at once (the cache's 0.5 s and the broker's ~1 s)
    # on top of its own work: 1.03–1.05 s on a quiet machine, 2.3 s once under CI's load.
    hung = phases["hung"]
    assert hung["max"] < 3.0 and hung["p50"] < 0.5, hung
    assert hung["over_1s"] <= 4, hung
