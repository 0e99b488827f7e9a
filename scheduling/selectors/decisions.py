"""What deciding a pending day would meet, asked once for the inbox card, the decision API and
the approve/endorse services (which ask again under their lock): so what the card shows is what
approval meets.

A check gathers, per day: the rules of the preview as an approval sees them (eligibility, caps,
coverage, essential positions, the leave balance and length; :mod:`scheduling.selectors.preview`),
the document the institution requires when the request carries none, the approval chain (whether
approving forwards the day to the pejabat yang berwenang memberikan cuti, and to whom) and, for a
Plh/Plt, what only the definitive official may grant. The inbox checks a page of days with the
facts read once per employee and kind, not once per day.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404

from portal.models import Employee, Unit
from portal.rules import acting_label
from portal.selectors import display_name, with_time_zones
from scheduling import rules
from scheduling.models import FLEXIBLE_KINDS, Evidence, Kind, RequestDay, Status, Step
from scheduling.selectors import leave
from scheduling.selectors.evidence import files_prefetch
from scheduling.selectors.preview import ApprovalAsk, DayPreview, _evaluate, gather_for_approval
from scheduling.selectors.requests import approver_for, approver_id_for, days_decidable_by, represented_approvers

INBOX_PAGE_SIZE = 50
ID_WINDOW = 2000  # an inbox this long is counted and paged from one read of its ids
_KIND_LABELS = dict(Kind.choices)  # lazily translated: str() gives the label in the request's language

# The inbox's cards: joined, what every card reads (the request, the employee and their unit;
# the day's own unit is taken from them, see _units_of_days); prefetched, the official and the
# atasan langsung who forwarded, set only on days at the official's step (a page without any
# reads nothing more). Not the employee's account: only a decision's notification needs it; nor
# the unit head and the atasan langsung: who decides is compared by id (approver_id_for). Every
# table more in the join cost PostgreSQL planning time, and the day's unit joined a second time
# was hashed whole for a page of 50.
CARD_RELATIONS = ("request", "employee__unit")
CARD_PREFETCH = ("official", "endorsed_by__employee")  # and the requests' files (files_prefetch)


# The number of days of a day's request, read with the page's rows: the documents check asks it
# (a sick leave longer than a day needs a letter) and a query of its own cost more than the lookups.
_REQUEST_LENGTH = Subquery(RequestDay.objects.filter(request_id=OuterRef("request_id")).order_by()
                           .values("request_id").annotate(n=Count("id")).values("n"))


@dataclass(frozen=True)
class DecisionCheck:
    """Everything approving ``day`` would meet, most serious first.

    ``forwards_to`` is the official the day goes on to when this approval is the atasan langsung's
    consideration (None: this approval grants it). ``reserved`` is set when the actor decides as
    Plh/Plt and the kind is reserved to the definitive official: neither approving nor rejecting
    is theirs, the day waits. ``acting_for`` is the Plh/Plt title the decision is taken under.
    """

    day: RequestDay
    verdicts: list[rules.Verdict]
    numbers: dict
    acting_for: str = ""
    forwards_to: Employee | None = None
    reserved: rules.Verdict | None = None

    @property
    def worst(self) -> str | None:
        return rules.worst(self.verdicts)

    @property
    def blocking(self) -> list[rules.Verdict]:
        return [v for v in self.verdicts if v.severity == rules.BLOCK]

    @property
    def warnings(self) -> list[rules.Verdict]:
        return [v for v in self.verdicts if v.severity == rules.WARN]

    @property
    def blocked(self) -> bool:
        """Approving is refused whatever the reason given."""
        return bool(self.blocking)

    @property
    def needs_reason(self) -> bool:
        """Approving passes only with a reason (a warning, e.g. presence below the minimum)."""
        return not self.blocked and bool(self.warnings)

    def refused_by(self, reason: str) -> list[rules.Verdict]:
        """The verdicts that refuse approving with this reason (empty: approval goes through)."""
        if self.blocked:
            return self.blocking
        if self.warnings and not (reason or "").strip():
            return self.warnings
        return []

    @property
    def reject_refused_by(self) -> list[rules.Verdict]:
        """Rejecting is the definitive official's too when the kind is reserved to them."""
        return [self.reserved] if self.reserved else []

    @property
    def forwards_to_name(self) -> str:
        return self.forwards_to.name if self.forwards_to else ""

    @property
    def data(self) -> dict:
        """:meth:`as_dict` as an attribute, for a serializer's ``source`` (DRF inspects the
        signature of a callable source on every read: twice a card)."""
        return self.as_dict()

    def as_dict(self) -> dict:
        return {"day": self.day.pk, "date": self.day.date.isoformat(), "worst": self.worst,
                "blocked": self.blocked, "needs_reason": self.needs_reason,
                "verdicts": [v.as_dict() for v in self.verdicts],
                "forwards_to": self.forwards_to_name or None, "reserved": self.reserved is not None,
                "can_reject": not self.reject_refused_by, "acting_for": self.acting_for, **self.numbers}


# --- The checks --------------------------------------------------------------------------------


def decision_check(actor, day: RequestDay) -> DecisionCheck:
    """What ``actor`` approving ``day`` would meet now. 404 when the actor does not decide it."""
    return decision_checks(actor, [day])[day.pk]


def decision_checks(actor, days: list[RequestDay], titles: dict[int, str] | None = None,
                    ) -> dict[int, DecisionCheck]:
    """:func:`decision_check` for many days (the inbox): facts read once per employee and kind;
    ``titles``: the actor's :func:`represented_approvers`, when read already."""
    titles = represented_approvers(actor) if titles is None else titles
    superuser = bool(getattr(actor, "is_superuser", False))
    _share_units(days)
    institutions = {leave.institution_id_of(d.employee) for d in days}
    settings = leave.kind_settings_for(institutions) if days else {}
    chain = _Chain(settings, institutions)
    leaves = chain.leaves_for(days)  # their first years serve the cuti balances too
    previews = approval_previews(days, first_years={i: v.first_year for i, v in leaves.items()} if leaves else None)
    documents = _missing_documents(days, settings)
    out = {}
    for day in days:
        acting_for = _acting_for(day, titles, superuser)
        forwards_to, no_official = chain.next_step(day)
        final = forwards_to is None and no_official is None
        reserved = reserved_verdict(day, acting_for) if final else None
        extra = [v for v in (no_official, reserved, documents.get(day.pk)) if v is not None]
        out[day.pk] = _check(day, previews[day.pk], extra, acting_for=acting_for, forwards_to=forwards_to,
                             reserved=reserved)
    return out


def grant_check(day: RequestDay, *, acting_for: str = "") -> DecisionCheck:
    """What granting ``day`` outright would meet, with no chain and no delegation (the automatic
    approval inside an FWA window: the circular, not a person, decides)."""
    documents = _missing_documents([day])
    extra = [documents[day.pk]] if day.pk in documents else []
    return _check(day, approval_previews([day])[day.pk], extra, acting_for=acting_for)


def reject_check(actor, day: RequestDay, titles: dict[int, str] | None = None) -> DecisionCheck:
    """What ``actor`` rejecting ``day`` meets: only the chain (a Plh/Plt leaves a reserved kind
    to the definitive official); the rules of the plan never stop a rejection. ``titles``: the
    actor's :func:`represented_approvers`, when read already."""
    titles = represented_approvers(actor) if titles is None else titles
    acting_for = _acting_for(day, titles, bool(getattr(actor, "is_superuser", False)))
    forwards_to, no_official = _Chain().next_step(day)
    # Nobody to forward to does not stop the atasan langsung from saying no.
    reserved = reserved_verdict(day, acting_for) if forwards_to is None and no_official is None else None
    return DecisionCheck(day, [reserved] if reserved else [], {}, acting_for, forwards_to, reserved)


def _share_units(days: list[RequestDay]) -> None:
    """One object per unit across the days, so what a unit caches (its time zone, its institution)
    is read once for the page, not once per person."""
    units = {}
    for day in days:
        day.employee.unit = units.setdefault(day.employee.unit_id, day.employee.unit)
    with_time_zones(units.values())


def _check(day: RequestDay, preview: DayPreview, extra: list[rules.Verdict], **kwargs) -> DecisionCheck:
    return DecisionCheck(day, rules.by_severity(extra + preview.verdicts), preview.numbers, **kwargs)


def _acting_for(day: RequestDay, titles: dict[int, str], superuser: bool) -> str:
    approver_id = approver_id_for(day)
    if approver_id in titles:
        return titles[approver_id]
    if superuser:
        return ""
    raise Http404


def reserved_verdict(day: RequestDay, acting_for: str) -> rules.Verdict | None:
    """A Plh/Plt granting what only the definitive official may (SE BKN 1/SE/I/2021)."""
    if not acting_for or not leave.is_reserved(day.employee, day.kind, day.request.abroad):
        return None
    approver = approver_for(day)
    return rules.Verdict("reserved_to_definitive", rules.BLOCK, {
        "kind": day.kind, "official": approver.name if approver else ""})


class _Chain:
    """Who decides after the atasan langsung, read once per institution and kind (for a page:
    from the institutions' kind settings, and their leave settings read once when needed)."""

    def __init__(self, settings: dict[tuple[int, str], leave.KindSetting] | None = None, institutions=()):
        self._grantors: dict[tuple[int, str], tuple[bool, Employee | None]] = {}
        self._settings = settings or {}
        self._institutions = set(institutions)
        self._leaves: dict[int, leave.InstitutionLeave] | None = None

    def _grantor(self, key: tuple[int, str], employee: Employee) -> tuple[bool, Employee | None]:
        setting = self._settings.get(key)
        if setting is None:
            return leave.grantor_for(employee, key[1])
        if setting.needs_official and self._leaves is None:
            self._leaves = leave.institution_leaves(self._institutions)
        return leave.grantor_for(employee, key[1], setting=setting,
                                 leave_of=(self._leaves or {}).get(key[0]))

    def leaves_for(self, days: list[RequestDay]) -> dict[int, leave.InstitutionLeave] | None:
        """The institutions' leave settings, read now when a day's next step will need them."""
        if self._leaves is None and any(
                day.awaiting == Step.SUPERVISOR and getattr(self._settings.get(
                    (leave.institution_id_of(day.employee), day.kind)), "needs_official", False) for day in days):
            self._leaves = leave.institution_leaves(self._institutions)
        return self._leaves

    def next_step(self, day: RequestDay) -> tuple[Employee | None, rules.Verdict | None]:
        """(the official approving forwards the day to, a verdict when nobody could take it).

        Leave the institution sends to its pejabat yang berwenang memberikan cuti goes there after
        the atasan langsung agrees, unless the atasan langsung is that official."""
        if day.awaiting != Step.SUPERVISOR:
            return None, None
        key = (leave.institution_id_of(day.employee), day.kind)
        if key not in self._grantors:
            self._grantors[key] = self._grantor(key, day.employee)
        needs_official, grantor = self._grantors[key]
        if not needs_official:
            return None, None
        if grantor is None:
            return None, rules.Verdict("no_official", rules.BLOCK, {})
        return (None if approver_id_for(day) == grantor.pk else grantor), None


# --- The rules and the documents ----------------------------------------------------------------


def approval_previews(days: list[RequestDay], first_years: dict[int, int] | None = None) -> dict[int, DayPreview]:
    """The preview's verdicts for each pending day as its approval sees them (approved days
    only, the day itself left out): the facts are read together for the whole page (per unit
    what units have, in one query each what people have; :func:`gather_for_approval`), then
    each day is evaluated on its own, exactly as ``preview_days(..., for_approval_of=day.pk)``
    would. ``first_years``: each institution's first year of cuti balances, when read already."""
    groups: dict[tuple, list[RequestDay]] = defaultdict(list)
    for day in days:
        groups[(day.employee_id, day.kind, day.request.special_circumstance)].append(day)
    asks = [ApprovalAsk(group[0].employee, kind, special, [d.date for d in group], tuple(d.pk for d in group))
            for (_employee, kind, special), group in groups.items()]
    out = {}
    for group, facts in zip(groups.values(), gather_for_approval(asks, first_years=first_years), strict=True):
        for day in group:
            alone = dataclasses.replace(facts, taken={day.date} & facts.taken)
            out[day.pk] = _evaluate(alone, [day.date])[0]
    return out


def _missing_documents(days: list[RequestDay], settings: dict[tuple[int, str], leave.KindSetting] | None = None,
                       ) -> dict[int, rules.Verdict]:
    """A "document_missing" verdict for each day whose request lacks the document its institution
    requires for its kind and length (counted, as at submit, on the request's days); ``settings``:
    the institutions' kind settings, when read for the page."""
    days = [d for d in days if _may_need_document(d, settings)]
    request_ids = {d.request_id for d in days}
    if not request_ids:
        return {}
    lengths = _request_lengths(days, request_ids)
    with_files = _requests_with_files(days, request_ids)
    needed: dict[tuple, leave.DocumentRequirement | None] = {}
    out = {}
    for day in days:
        if day.request_id in with_files:
            continue
        key = (leave.institution_id_of(day.employee), day.kind, lengths.get(day.request_id, 1),
               day.request.special_circumstance)
        if key not in needed:
            needed[key] = leave.document_requirement(day.employee, *key[1:],
                                                     setting=(settings or {}).get(key[:2]))
        if needed[key] is not None:
            out[day.pk] = rules.Verdict("document_missing", rules.BLOCK, {
                "label": str(needed[key].label), "reason": str(needed[key].reason)})
    return out


def _may_need_document(day: RequestDay, settings: dict[tuple[int, str], leave.KindSetting] | None) -> bool:
    """False when the day's kind never asks a document in its institution (a WFH day, most
    absences): its request's length and files need not be read."""
    setting = (settings or {}).get((leave.institution_id_of(day.employee), day.kind))
    return setting is None or leave.document_may_be_required(setting, day.request.special_circumstance)


def _request_lengths(days: list[RequestDay], request_ids: set[int]) -> dict[int, int]:
    """How many days each request has: counted with the page's rows when it read them (the
    inbox), else in one query."""
    if all(hasattr(d, "request_length") for d in days):
        return {d.request_id: d.request_length for d in days}
    return dict(RequestDay.objects.filter(request_id__in=request_ids).values_list("request")
                .annotate(n=Count("id")).values_list("request", "n"))


def _requests_with_files(days: list[RequestDay], request_ids: set[int]) -> set[int]:
    """The requests carrying a document: from the files the page read for its cards when it did
    (:func:`files_prefetch`), else in one query."""
    if all(getattr(d.request, "files", None) is not None for d in days):
        return {d.request_id for d in days if d.request.files}
    return set(Evidence.objects.filter(request_id__in=request_ids).values_list("request_id", flat=True))


# --- The inbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    """One card: the day, what deciding it would meet, and the unit's presence around it."""

    day: RequestDay
    check: DecisionCheck

    @property
    def headcount(self) -> int:
        return self.check.numbers.get("headcount", 0)

    @property
    def before(self) -> int:
        return self.check.numbers.get("in_office_before", 0)

    @property
    def after(self) -> int:
        return self.check.numbers.get("in_office_after", 0)

    @property
    def minimum(self) -> int:
        return self.check.numbers.get("required", 0)

    @property
    def below(self) -> bool:
        return self.after < self.minimum

    @property
    def flexible(self) -> bool:
        return self.day.kind in FLEXIBLE_KINDS

    @property
    def kind_label(self) -> str:
        """``day.get_kind_display()``, without rebuilding and hashing the translated choices."""
        return str(_KIND_LABELS.get(self.day.kind, self.day.kind))

    @property
    def endorsed(self) -> dict | None:
        """The atasan langsung's consideration the official's card names, when there was one."""
        day = self.day
        if day.awaiting != Step.OFFICIAL or day.endorsed_by_id is None:
            return None
        return {"name": display_name(day.endorsed_by), "at": day.endorsed_at,
                "acting": acting_label(day.endorsed_acting_for)}


class Inbox:
    """The pending days a user decides, oldest date first, checked a slice at a time.

    It behaves as a sequence (``count()``, ``len()``, slicing) so Django's and DRF's paginators
    check only the page they show: the cost of a page is one read of its ids, one of its days and
    the facts of its people and units read together (:func:`decision_checks`), never the whole
    inbox nor a read per card.
    """

    def __init__(self, user):
        self.user = user
        # Who the user decides for, read once for the ids, the checks and the page's "acting as".
        self.approvers = represented_approvers(user)
        self.days = (days_decidable_by(user, status=Status.PENDING, approvers=self.approvers)
                     .select_related(*CARD_RELATIONS).prefetch_related(files_prefetch(), *CARD_PREFETCH)
                     .order_by("date", "employee__name", "pk"))
        self._ids: list[int] | None = None

    def _first_ids(self) -> list[int]:
        """The ids of the first ``ID_WINDOW`` (and one) days in order, read once: for an inbox no
        longer than that, the count and every page come from this one read of the UNION."""
        if self._ids is None:
            self._ids = list(self.days.values_list("pk", flat=True)[:ID_WINDOW + 1])
        return self._ids

    def _page_ids(self, key: slice) -> list[int]:
        ids = self._first_ids()
        if len(ids) <= ID_WINDOW:
            return ids[key]
        return list(self.days.values_list("pk", flat=True)[key])

    def count(self) -> int:
        ids = self._first_ids()
        return len(ids) if len(ids) <= ID_WINDOW else self.days.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            items = self[key:key + 1]
            if not items:
                raise IndexError(key)
            return items[0]
        return inbox_items(self.user, self._rows(self._page_ids(key)), self.approvers)

    @staticmethod
    def _rows(ids: list[int]) -> list[RequestDay]:
        """The page's days with what their cards name, by id (unsorted: the ids give the order):
        joined to the same tables in one query with the UNION, the planner would join every day
        of the institution first."""
        found = (RequestDay.objects.select_related(*CARD_RELATIONS).prefetch_related(files_prefetch(), *CARD_PREFETCH)
                 .annotate(request_length=_REQUEST_LENGTH).order_by().in_bulk(ids))
        days = [found[pk] for pk in ids if pk in found]
        _units_of_days(days)
        return days

    def __iter__(self):
        return iter(self[:])


def _units_of_days(days: list[RequestDay]) -> None:
    """Each day's unit: its employee's (read with them) when the same, as it nearly always is;
    the others in one read. Joined a second time, the unit table was hashed whole for the page."""
    others = {d.unit_id for d in days if d.unit_id != d.employee.unit_id}
    units = Unit.objects.in_bulk(others) if others else {}
    for day in days:
        day.unit = day.employee.unit if day.unit_id == day.employee.unit_id else units[day.unit_id]


def inbox(user) -> Inbox:
    """Pending days the user decides, each with what deciding it would meet (a lazy sequence)."""
    return Inbox(user)


def inbox_items(user, days: list[RequestDay], titles: dict[int, str] | None = None) -> list[InboxItem]:
    checks = decision_checks(user, days, titles)
    return [InboxItem(d, checks[d.pk]) for d in days]
