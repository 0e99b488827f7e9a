"""The organisation: unit tree, employees, delegations and the audit trail they write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import AsnType, AuditEvent, Delegation, DelegationKind, Employee, Unit, UnitKind
from portal.services.org import delegation_save, employee_save, unit_save
from tests.factories import UnitFactory, UserFactory

D = dt.date


def _fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


@pytest.fixture
def deep(bidang_p2p):
    """seksi (depth 3) → sub (depth 4) → leaf (depth 5) under bidang_p2p."""
    seksi = UnitFactory(code="P2P-1", kind=UnitKind.SEKSI, parent=bidang_p2p)
    sub = UnitFactory(code="P2P-1-A", kind=UnitKind.SEKSI, parent=seksi)
    leaf = UnitFactory(code="P2P-1-A-i", kind=UnitKind.SEKSI, parent=sub)
    return seksi, sub, leaf


# --- unit tree -----------------------------------------------------------------------


def test_it_keeps_path_and_depth_at_any_depth(pemkot, dinkes, bidang_p2p, deep):
    seksi, sub, leaf = deep
    chain = [pemkot, dinkes, bidang_p2p, seksi, sub, leaf]
    for depth, unit in enumerate(chain):
        stored = _fresh(unit)
        assert stored.depth == depth
        assert stored.path == "/" + "".join(f"{u.pk}/" for u in chain[: depth + 1])
        assert stored.ancestor_ids == [u.pk for u in chain[: depth + 1]]
    assert _fresh(leaf).institution == pemkot


def test_it_selects_a_subtree_and_nothing_else(pemkot, dinkes, bidang_p2p, upt, pemprov_lain, deep):
    assert set(Unit.objects.subtree_of(dinkes)) == {dinkes, bidang_p2p, upt, *deep}
    assert set(Unit.objects.subtree_of(deep[1])) == {deep[1], deep[2]}
    assert set(Unit.objects.subtree_of(pemprov_lain)) == {pemprov_lain}
    assert set(Unit.objects.subtrees_of([upt, deep[2]])) == {upt, deep[2]}
    assert not Unit.objects.subtrees_of([]).exists()


def test_it_rewrites_descendant_paths_when_a_unit_moves(pemkot, dinkes, bidang_p2p, deep, superuser):
    dinsos = UnitFactory(code="DINSOS", kind=UnitKind.UNIT_ORGANISASI, parent=pemkot)
    moving = _fresh(bidang_p2p)
    moving.parent = dinsos
    unit_save(actor=superuser, unit=moving)

    seksi, sub, leaf = (_fresh(u) for u in deep)
    assert _fresh(bidang_p2p).path == f"/{pemkot.pk}/{dinsos.pk}/{bidang_p2p.pk}/"
    assert leaf.path == f"/{pemkot.pk}/{dinsos.pk}/{bidang_p2p.pk}/{seksi.pk}/{sub.pk}/{leaf.pk}/"
    assert [seksi.depth, sub.depth, leaf.depth] == [3, 4, 5]
    assert set(Unit.objects.subtree_of(dinsos)) == {dinsos, _fresh(bidang_p2p), seksi, sub, leaf}
    assert set(Unit.objects.subtree_of(dinkes)) == {dinkes}

    event = AuditEvent.objects.filter(verb="unit.updated", object_id=str(bidang_p2p.pk)).get()
    assert event.actor == superuser
    assert event.before["parent_id"] == dinkes.pk
    assert event.after["parent_id"] == dinsos.pk
    assert event.after["path"] == _fresh(bidang_p2p).path


def test_it_moves_a_subtree_to_another_depth_and_institution(dinkes, bidang_p2p, deep, pemprov_lain):
    moving = _fresh(bidang_p2p)
    moving.parent = pemprov_lain  # one level up, other institution
    unit_save(actor=None, unit=moving)

    seksi, sub, leaf = (_fresh(u) for u in deep)
    assert [_fresh(bidang_p2p).depth, seksi.depth, sub.depth, leaf.depth] == [1, 2, 3, 4]
    assert leaf.path.startswith(f"/{pemprov_lain.pk}/{bidang_p2p.pk}/")
    assert leaf.institution == pemprov_lain
    assert leaf.effective_time_zone == "Asia/Makassar"  # now inherits WITA


def test_it_inherits_the_time_zone_from_the_nearest_ancestor(bidang_p2p, upt, deep, pemprov_lain):
    under_upt = UnitFactory(code="UPT-LAB", kind=UnitKind.SEKSI, parent=upt)
    wit = UnitFactory(code="UPT-PAPUA", kind=UnitKind.SEKSI, parent=under_upt, time_zone="Asia/Jayapura")
    below_wit = UnitFactory(code="UPT-PAPUA-1", kind=UnitKind.SEKSI, parent=wit)

    assert _fresh(deep[2]).effective_time_zone == "Asia/Jakarta"  # from pemkot, 5 levels up
    assert _fresh(upt).effective_time_zone == "Asia/Makassar"  # own
    assert _fresh(under_upt).effective_time_zone == "Asia/Makassar"  # nearest ancestor, not the root
    assert _fresh(wit).tz_abbreviation == "WIT"
    assert _fresh(below_wit).effective_time_zone == "Asia/Jayapura"
    assert _fresh(below_wit).tzinfo.utcoffset(dt.datetime(2026, 1, 1)) == dt.timedelta(hours=9)
    assert _fresh(bidang_p2p).tz_abbreviation == "WIB"


def test_it_refuses_to_make_a_unit_its_own_ancestor(dinkes, bidang_p2p, deep):
    for new_parent in (deep[2], bidang_p2p, dinkes):  # a deep descendant, a child, itself
        unit = _fresh(dinkes)
        unit.parent = new_parent
        with pytest.raises(ValidationError) as exc:
            unit_save(actor=None, unit=unit)
        assert "parent" in exc.value.message_dict
    assert _fresh(dinkes).parent_id == dinkes.parent_id


def test_it_refuses_a_cycle_even_through_a_stale_parent_instance(pemkot):
    opd_a = UnitFactory(code="OPD-A", kind=UnitKind.UNIT_ORGANISASI, parent=pemkot)
    opd_b = UnitFactory(code="OPD-B", kind=UnitKind.UNIT_ORGANISASI, parent=pemkot)
    stale_b = _fresh(opd_b)  # loaded before b moves under a (another request, say)
    moved_b = _fresh(opd_b)
    moved_b.parent = opd_a
    unit_save(actor=None, unit=moved_b)

    a = _fresh(opd_a)
    a.parent = stale_b  # stale_b.path still says it sits under pemkot
    with pytest.raises(ValidationError):
        unit_save(actor=None, unit=a)
    assert _fresh(opd_a).path == f"/{pemkot.pk}/{opd_a.pk}/"


def test_it_keeps_instansi_at_the_root_and_everything_else_below(pemkot, dinkes):
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code="X1", name="X", kind=UnitKind.INSTANSI, parent=pemkot))
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code="X2", name="X", kind=UnitKind.BIDANG, time_zone="Asia/Jakarta"))
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code="X3", name="X", kind=UnitKind.INSTANSI))
    assert "time_zone" in exc.value.message_dict
    assert not Unit.objects.filter(code__in=["X1", "X2", "X3"]).exists()


def test_it_audits_unit_creation(pemkot, superuser):
    unit = unit_save(actor=superuser, unit=Unit(code="BAPPEDA", name="Bappeda", kind=UnitKind.UNIT_ORGANISASI,
                                                parent=pemkot))
    event = AuditEvent.objects.get(verb="unit.created", object_id=str(unit.pk))
    assert event.before is None
    assert event.after["code"] == "BAPPEDA"
    assert event.after["path"] == f"/{pemkot.pk}/{unit.pk}/"
    assert event.unit == unit


# --- employees -----------------------------------------------------------------------


def _new_employee(unit, nip, asn_type=AsnType.PNS, **kwargs):
    return Employee(user=UserFactory(), nip=nip, asn_type=asn_type, name="Dewi", jabatan="Pranata Komputer",
                    unit=unit, **kwargs)


def test_it_creates_an_employee_from_a_grouped_nip_and_audits_it(bidang_p2p, kabid, hr):
    employee = employee_save(actor=hr, employee=_new_employee(bidang_p2p, "19860926 201505 2 001",
                                                             supervisor=kabid))

    assert Employee.objects.get(pk=employee.pk).nip == "198609262015052001"
    event = AuditEvent.objects.get(verb="employee.created", object_id=str(employee.pk))
    assert (event.actor, event.unit, event.before) == (hr, bidang_p2p, None)
    assert event.after["nip"] == "198609262015052001"
    assert event.after["supervisor_id"] == kabid.pk


def test_it_audits_an_update_with_before_and_after(ani, hr):
    ani.jabatan = "Epidemiolog Ahli Pertama"
    employee_save(actor=hr, employee=ani)

    event = AuditEvent.objects.get(verb="employee.updated", object_id=str(ani.pk))
    assert event.before["jabatan"] == "Analis Kebijakan"
    assert event.after["jabatan"] == "Epidemiolog Ahli Pertama"
    assert event.object_repr.startswith("Ani Lestari")


@pytest.mark.parametrize(
    "asn_type, nip",
    [
        (AsnType.PNS, "198613262015051001"),  # month 13
        (AsnType.PNS, "199005122021211001"),  # an NI PPPK is not a NIP
        (AsnType.PPPK, "198609262015051001"),  # a NIP is not an NI PPPK
        (AsnType.PPPK_PW, "199005122021111001"),  # digit 13 must be 2
        (AsnType.PPPK, "1990051220212110"),
    ],
)
def test_it_refuses_an_identifier_that_does_not_fit_the_asn_type(bidang_p2p, asn_type, nip):
    with pytest.raises(ValidationError) as exc:
        employee_save(actor=None, employee=_new_employee(bidang_p2p, nip, asn_type))
    assert list(exc.value.message_dict) == ["nip"]
    assert not Employee.objects.filter(name="Dewi").exists()
    assert not AuditEvent.objects.filter(object_type="portal.employee").exists()


@pytest.mark.parametrize("asn_type", [AsnType.PPPK, AsnType.PPPK_PW])
def test_it_accepts_an_ni_pppk_for_pppk(bidang_p2p, asn_type):
    employee = employee_save(actor=None, employee=_new_employee(bidang_p2p, "19900512 2021 2 1 1 001", asn_type))
    assert Employee.objects.get(pk=employee.pk).nip == "199005122021211001"
    assert employee.nip_display == "199005122021211001"  # PNS grouping does not apply


def test_it_refuses_a_duplicate_nip_even_typed_with_spaces(ani, bidang_p2p):
    grouped = f"{ani.nip[:8]} {ani.nip[8:14]} {ani.nip[14]} {ani.nip[15:]}"
    with pytest.raises(ValidationError) as exc:
        employee_save(actor=None, employee=_new_employee(bidang_p2p, grouped))
    assert "nip" in exc.value.message_dict
    assert "18 karakter" not in str(exc.value)  # the duplicate, not the spaces, is the problem


def test_it_refuses_an_employee_as_their_own_supervisor(ani):
    ani.supervisor = ani
    with pytest.raises(ValidationError) as exc:
        employee_save(actor=None, employee=ani)
    assert "supervisor" in exc.value.message_dict
    assert Employee.objects.get(pk=ani.pk).supervisor.name == "Kepala Bidang P2P"


def test_it_refuses_self_supervision_in_the_database_too(ani):
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.filter(pk=ani.pk).update(supervisor=ani)


# --- delegations ---------------------------------------------------------------------


def _delegation(kind, delegator, delegate, start, end):
    return Delegation(kind=kind, delegator=delegator, delegate=delegate, start=start, end=end)


@pytest.mark.parametrize(
    "kind, start, end, field",
    [
        (DelegationKind.PLH, D(2026, 5, 10), D(2026, 5, 9), "end"),
        (DelegationKind.PLT, D(2026, 1, 1), D(2026, 4, 30), "end"),  # 4 months
        (DelegationKind.PLT, D(2026, 1, 1), D(2026, 12, 31), "end"),
    ],
)
def test_it_refuses_invalid_delegation_periods(kabid, ani, kind, start, end, field):
    with pytest.raises(ValidationError) as exc:
        delegation_save(actor=None, delegation=_delegation(kind, kabid, ani, start, end))
    assert field in exc.value.message_dict
    assert not Delegation.objects.filter(delegator=kabid).exists()


def test_it_refuses_self_delegation(kabid):
    with pytest.raises(ValidationError) as exc:
        _delegation(DelegationKind.PLH, kabid, kabid, D(2026, 5, 1), D(2026, 5, 5)).full_clean()
    assert "delegate" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(kind=DelegationKind.PLH, delegator=kabid, delegate=kabid,
                                  start=D(2026, 5, 1), end=D(2026, 5, 5))


@pytest.mark.parametrize(
    "kind, start, end",
    [
        (DelegationKind.PLT, D(2026, 7, 1), D(2026, 9, 30)),  # three full months, 92 days
        (DelegationKind.PLT, D(2026, 5, 4), D(2026, 5, 4)),
        (DelegationKind.PLH, D(2026, 1, 1), D(2026, 12, 31)),  # Plh has no legal maximum here
    ],
)
def test_it_accepts_valid_delegations_and_audits_them(kabid, ani, hr, kind, start, end):
    delegation = delegation_save(actor=hr, delegation=_delegation(kind, kabid, ani, start, end))
    event = AuditEvent.objects.get(verb="delegation.created", object_id=str(delegation.pk))
    assert event.unit == kabid.unit
    assert event.after["end"] == end.isoformat()


def test_it_names_the_acting_official(plh, kabid, ani):
    delegation = Delegation.objects.get(delegate=plh)
    assert delegation.acting_title == "Plh. Kepala Bidang P2P"
    plt = _delegation(DelegationKind.PLT, kabid, ani, D(2026, 1, 1), D(2026, 2, 1))
    assert plt.acting_title == "Plt. Kepala Bidang P2P"


# --- audit trail ---------------------------------------------------------------------


def test_it_keeps_audit_events_append_only(dinkes):
    event = AuditEvent.objects.get(verb="unit.created", object_id=str(dinkes.pk))
    count = AuditEvent.objects.count()

    event.verb = "unit.tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="unit.tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    # bulk_update wraps its UPDATE in atomic(savepoint=False): give it a savepoint of its own.
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["verb"])

    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).verb == "unit.created"


def test_it_refuses_a_supervisor_loop(ani, kabid):
    from django.core.exceptions import ValidationError

    from portal.services.org import employee_save

    kabid.supervisor = ani
    with pytest.raises(ValidationError):
        employee_save(actor=None, employee=kabid)


def test_it_refuses_an_audit_verb_nobody_registered(db, hr, dinkes):
    from portal.services.audit import audit_record

    with pytest.raises(ValueError, match="unregistered audit verb"):
        audit_record(actor=hr, verb="unit.tweaked", obj=dinkes, unit=dinkes)
    assert not AuditEvent.objects.filter(verb="unit.tweaked").exists()
