"""The named cast every test can use.

    pemkot (instansi, WIB)
    └── dinkes (Dinas Kesehatan)            head: kadis
        ├── bidang_p2p                      kabid supervises ani and budi
        └── upt (UPT Puskesmas, WITA)
    pemprov_lain (another instansi, WITA)   outsider works there

``plh`` is an active Plh for ``kabid``; ``hr`` administers dinkes; ``hr_other``
administers the other institution.
"""

from __future__ import annotations

import pytest

from portal.models import DelegationKind, UnitKind
from tests.factories import DelegationFactory, EmployeeFactory, HRAdminScopeFactory, UnitFactory, UserFactory

PASSWORD = "rahasia-123"


@pytest.fixture
def pemkot(db):
    return UnitFactory(code="PEMKOT", name="Pemerintah Kota Contoh", time_zone="Asia/Jakarta")


@pytest.fixture
def dinkes(pemkot):
    return UnitFactory(code="DINKES", name="Dinas Kesehatan", kind=UnitKind.UNIT_ORGANISASI, parent=pemkot)


@pytest.fixture
def bidang_p2p(dinkes):
    return UnitFactory(code="DINKES-P2P", name="Bidang P2P", kind=UnitKind.BIDANG, parent=dinkes)


@pytest.fixture
def upt(dinkes):
    return UnitFactory(code="DINKES-UPT1", name="UPT Puskesmas Kota", kind=UnitKind.UPT, parent=dinkes,
                       time_zone="Asia/Makassar")


@pytest.fixture
def pemprov_lain(db):
    return UnitFactory(code="PEMPROV-X", name="Pemerintah Provinsi Lain", time_zone="Asia/Makassar")


@pytest.fixture
def kadis(dinkes):
    e = EmployeeFactory(name="Kepala Dinas", jabatan="Kepala Dinas Kesehatan", unit=dinkes,
                        user=UserFactory(username="kadis"))
    dinkes.head = e
    dinkes.save(update_fields=["head"])
    return e


@pytest.fixture
def kabid(bidang_p2p, kadis):
    return EmployeeFactory(name="Kepala Bidang P2P", jabatan="Kepala Bidang P2P", unit=bidang_p2p,
                           supervisor=kadis, user=UserFactory(username="kabid"))


@pytest.fixture
def ani(bidang_p2p, kabid):
    return EmployeeFactory(name="Ani Lestari", unit=bidang_p2p, supervisor=kabid, user=UserFactory(username="ani"))


@pytest.fixture
def budi(bidang_p2p, kabid):
    return EmployeeFactory(name="Budi Santoso", unit=bidang_p2p, supervisor=kabid, user=UserFactory(username="budi"))


@pytest.fixture
def plh(bidang_p2p, kabid, kadis):
    delegate = EmployeeFactory(name="Citra Plh", jabatan="Analis Kebijakan Ahli Muda", unit=bidang_p2p,
                               supervisor=kabid, user=UserFactory(username="citra"))
    DelegationFactory(kind=DelegationKind.PLH, delegator=kabid, delegate=delegate)
    return delegate


@pytest.fixture
def hr(dinkes):
    user = UserFactory(username="hr_dinkes")
    HRAdminScopeFactory(user=user, unit=dinkes)
    return user


@pytest.fixture
def outsider(pemprov_lain):
    return EmployeeFactory(name="Orang Luar", unit=pemprov_lain, user=UserFactory(username="luar"))


@pytest.fixture
def hr_other(pemprov_lain):
    user = UserFactory(username="hr_lain")
    HRAdminScopeFactory(user=user, unit=pemprov_lain)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as each request does. A test-client request in
    English leaves English active on the thread afterwards (the locale middlewares activate the
    request's language and nothing deactivates it), so a later test calling a service directly
    would read English messages, or not, depending on which tests ran before it in its process."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Coalescing keys and throttles live in the cache: never let one test's keys leak into
    the next (locmem in the default run, Redis in the PostgreSQL run)."""
    from django.core.cache import cache

    from portal.resilience import broker_breaker, cache_breaker

    for breaker in (broker_breaker, cache_breaker):  # one test's outage must not outlive it
        breaker.succeeded()
    cache.clear()
    yield
    cache.clear()
    for breaker in (broker_breaker, cache_breaker):
        breaker.succeeded()


@pytest.fixture
def team(bidang_p2p, kabid, ani, budi):
    """Bidang P2P: kabid + ani + budi + 2 more = 5 people; Dinkes keeps at least 60% (3) in."""
    import datetime as dt

    from scheduling.models import CoveragePolicy

    extra = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(2)]
    CoveragePolicy.objects.create(unit=bidang_p2p.parent, effective_from=dt.date(2025, 1, 1), min_office_share=60)
    return [kabid, ani, budi, *extra]


@pytest.fixture
def audit_lane_heads(db):
    """Every audit lane of every institution has its head row already, as in any running portal.
    For query-count tests: the lane a user writes in follows their id, which PostgreSQL's sequences
    do not reset between tests, and a lane's first append costs two statements more (its head is
    created). Use after the fixtures that make the institutions."""
    from django.conf import settings

    from portal.models import Unit
    from portal.models.audit import AuditChainHead
    from portal.services.audit_chain import GENESIS, institution_chain

    lanes = range(settings.AUDIT_CHAIN_LANES) if settings.AUDIT_CHAIN_LANES > 1 else [None]
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(chain=institution_chain(root, lane), seq=0, hash=GENESIS)
         for root in Unit.objects.filter(parent=None).values_list("pk", flat=True) for lane in lanes],
        ignore_conflicts=True)
