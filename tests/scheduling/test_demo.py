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
