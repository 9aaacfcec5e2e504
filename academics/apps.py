from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.models import User


class AcademicsConfig(AppConfig):
    name = "academics"
    verbose_name = "Academic"

    def ready(self) -> None:
        from django.urls import reverse

        from academics import audit_names
        from academics.start import start_items
        from incidents.anchoring import register, register_link
        from ui import start

        # A parent's incident report may name their own students and their lessons, never another's.
        register("student", _students_visible_to)
        register("lesson", _lessons_visible_to)
        # The Incident Hub links the students, lessons and tasks an incident names to their pages.
        register_link("student", lambda ref: reverse("academics:student_detail", kwargs={"student_id": ref}))
        register_link("lesson", lambda ref: reverse("academics:lesson_detail", kwargs={"lesson_id": ref}))
        register_link("task", lambda ref: reverse("academics:task_detail", kwargs={"task_id": ref}))
        start.register(10, "academics", start_items)
        audit_names.register()


def _ids(values: set[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _students_visible_to(customer: "User", ids: set[str]) -> set[str]:
    from academics.students.queries import students_visible_to

    visible = students_visible_to(customer).filter(pk__in=_ids(ids))
    return {str(pk) for pk in visible.values_list("pk", flat=True)}


def _lessons_visible_to(customer: "User", ids: set[str]) -> set[str]:
    from academics.models import Lesson
    from academics.students.queries import students_visible_to

    own = Lesson.objects.filter(
        pk__in=_ids(ids),
        students__in=students_visible_to(customer),
    ).distinct()
    return {str(pk) for pk in own.values_list("pk", flat=True)}
