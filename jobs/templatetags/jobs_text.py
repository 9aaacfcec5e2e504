from django import template

from jobs import consequences

register = template.Library()


@register.filter
def job_consequence(task_path: str, action: str) -> str:
    """`{{ job.task_path|job_consequence:"delete" }}`: what follows, in words."""
    found = consequences.for_task(task_path)
    return found.delete if action == "delete" else found.rerun


@register.filter
def task_label(task_path: str) -> str:
    from jobs.audit_names import task_label as label

    return label(task_path)
