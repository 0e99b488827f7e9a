"""The demo seed gives every scheduling page something true to show, within its own rules."""

from django.core.management import call_command
from django.db.models import Count

from portal.models import Employee, Unit
from scheduling import rules, selectors
from scheduling.models import CoveragePolicy, Kind, RequestDay, Status


def test_it_seeds_policies_and_a_month_of_requests_that_obey_them(db):
    call_command("seed_demo", verbosity=0)
    root = Unit.objects.get(code="PEMKOT")
    assert selectors.effective_policy(root, root.local_today()).min_office_share == 70
    front = Unit.objects.get(code="DISDUKCAPIL")
    assert CoveragePolicy.objects.get(unit=front).essential_positions.exists()
    kinds = set(RequestDay.objects.values_list("kind", flat=True))
    assert {Kind.WFH, Kind.WFA} <= kinds and kinds - {Kind.WFH, Kind.WFA}
    assert RequestDay.objects.filter(status=Status.PENDING).exists()
    flexible = [Kind.WFH, Kind.WFA, Kind.OTHER_OFFICE]
    rows = (RequestDay.objects.filter(status=Status.APPROVED, kind__in=flexible)
            .values("unit", "date").annotate(n=Count("id")))
    assert rows
    for row in rows:
        unit = Unit.objects.get(pk=row["unit"])
        headcount = Employee.objects.filter(unit=unit, is_active=True).count()
        policy = selectors.effective_policy(unit, row["date"])
        absent = RequestDay.objects.filter(unit=unit, date=row["date"], status=Status.APPROVED).exclude(
            kind__in=flexible).count()
        required = rules.required_in_office(policy, row["date"].weekday(), headcount)
        assert headcount - absent - row["n"] >= required


def test_it_seeds_weekday_wishes_for_the_rota_and_a_past_emergency_without_a_banner(db, client):
    from scheduling.models import Emergency, WeekdayPreference

    call_command("seed_demo", verbosity=0)
    root = Unit.objects.get(code="PEMKOT")
    wishes = list(WeekdayPreference.objects.all())
    assert wishes and all(set(w.preferred) <= set(range(5)) and not set(w.preferred) & set(w.impossible)
                          for w in wishes)
    haze = Emergency.objects.get()
    assert haze.last_day < root.local_today() and list(haze.units.all()) == [root]
    client.force_login(Employee.objects.get(user__username="pegawai.aptika").user)
    assert "Kabut asap" not in client.get("/").content.decode()  # ended: no banner, normal rules
    assert selectors.emergency_for(root, root.local_today()) is None
