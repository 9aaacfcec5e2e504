from django.tasks import task


@task
def sync_student_calendar(student_id: int, *, media_id: int | None = None) -> None:
    raise ValueError(f"Calendar for student {student_id} is unreachable (token=abc123)")
