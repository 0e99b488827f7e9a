"""Points where attendance (the app above) plugs into scheduling; see :mod:`portal.hooks`."""

from portal.hooks import Hook

plan_changed = Hook("plan_changed", """Who is where changed on some unit-days (a request decided,
withdrawn, cancelled, expired): the rows are marked in ``scheduling.UnitDay.changed_at`` in the
caller's transaction. Keyword arguments: pairs (a set of (unit_id, date)).""")
