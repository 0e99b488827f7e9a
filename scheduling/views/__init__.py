"""Server-rendered scheduling pages (employee and supervisor)."""

from scheduling.views import employee, supervisor

__all__ = ["employee", "supervisor"]
