"""Celery tasks: thin wrappers that take ids; the work and its guarantees are in workflows.py."""

from celery import Task, shared_task

from reports import workflows


@shared_task(
    bind=True, name="reports.render_report_task", acks_late=True, reject_on_worker_lost=True
)
def render_report_task(self: Task, report_id: int) -> str:
    """Render one report. Safe to deliver twice: the row's claim decides who renders."""
    return workflows.render_report(report_id, task_id=self.request.id or "")


@shared_task(name="reports.sweep_reports_task")
def sweep_reports_task() -> dict[str, int]:
    """Re-send queued reports the broker lost and fail stuck ones. Safe to run any time."""
    return workflows.sweep_reports()
