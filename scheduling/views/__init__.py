"""Server-rendered scheduling pages (employee and supervisor)."""

from scheduling.views import employee, hr, supervisor

__all__ = ["employee", "hr", "supervisor"]
