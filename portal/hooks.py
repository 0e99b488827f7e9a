"""Points where a higher app plugs behaviour into a lower one, without the lower one naming it.

``portal`` sits below ``scheduling`` and ``attendance`` (docs/architecture.md) and never
imports them, names their tasks or their URLs. Where portal must let them know something
happened (HR moved a holiday: attendance recomputes day statuses), it exposes a :class:`Hook`;
the higher app registers a receiver in its ``AppConfig.ready()``. Scheduling does the same
for the app above it. Receivers run in the caller's transaction, so one that
starts background work enqueues it after commit (:func:`portal.jobs.enqueue_on_commit`).

Unlike Django signals, a hook is declared in one place with its arguments, and ``git grep``
of its name finds every receiver.
"""

from __future__ import annotations

from collections.abc import Callable


class Hook:
    """A named list of receivers called with keyword arguments, in registration order."""

    def __init__(self, name: str, doc: str = ""):
        self.name, self.__doc__ = name, doc
        self._receivers: list[Callable[..., None]] = []

    def register(self, receiver: Callable[..., None]) -> Callable[..., None]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def send(self, **kwargs) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


calendar_changed = Hook("calendar_changed", """What decides whether and when people work changed for
``institution_id`` (None: every institution) from ``start`` to ``end``: a holiday, a working pattern,
a Ramadan period, the institution's go-live date. Keyword arguments: institution_id, start, end
(dates), unit_id (the subtree a working pattern reaches; None for the whole institution).""")

records_changed = Hook("records_changed", """The days attendance counts for some people changed (their
records start or end). Keyword arguments: employee_ids (a set), start, end (dates).""")

people_changed = Hook("people_changed", """Who works in some units changed: an employee was added, moved
or (de)activated (one by one or by an import). Keyword argument: unit_ids (a set of unit ids).""")
