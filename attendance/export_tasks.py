"""Export job tasks (see attendance.services.export_jobs). Imported by attendance/tasks.py."""

from celery import shared_task

from attendance.services import export_jobs


@shared_task(name="attendance.run_export", time_limit=3600, soft_time_limit=3540)
def run_export(job_id: int) -> str:
    """Write one export file; a soft time limit ends the job as failed, never half-done."""
    return export_jobs.export_job_run(job_id=job_id)


@shared_task(name="attendance.purge_exports", time_limit=600, soft_time_limit=580)
def purge_exports() -> int:
    """Delete export files past their 24-hour expiry."""
    return export_jobs.export_jobs_purge_expired()
