from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.models import User


class HomeworkConfig(AppConfig):
    name = "homework"
    verbose_name = "Homework"

    def ready(self) -> None:
        from django.urls import reverse

        from academics.students.sections import StudentSection, register_student_section
        from academics.tasks.portal_hooks import register_handed_in
        from homework import audit_names
        from homework.media_owner import SOURCE
        from homework.queries import handed_in_instance_ids, student_homework
        from homework.start import start_items
        from incidents.anchoring import register, register_link
        from media import owners
        from ui import start

        # The portal's Tasks page (academics) shows which tasks had homework handed in.
        register_handed_in(handed_in_instance_ids)
        # The admin student page (academics) shows the student's homework.
        register_student_section(
            "homework",
            StudentSection(
                template="homework/_student_section.html",
                context=lambda student: {"homework_rows": student_homework(student.pk)},
                order=20,
            ),
        )
        # A parent's incident report may name their own students' homework, never another's.
        register("homework", _homework_visible_to)
        register_link("homework", lambda ref: reverse("homework:admin_detail", kwargs={"homework_id": ref}))
        start.register(20, "homework", start_items)
        # The Media page names whose file it is through media's registry (media knows no homework).
        owners.register(SOURCE)
        audit_names.register()


def _homework_visible_to(customer: "User", ids: set[str]) -> set[str]:
    from academics.students.queries import students_visible_to
    from homework.models import Homework

    own = Homework.objects.filter(
        pk__in=[int(i) for i in ids if i.isdigit()],
        student__in=students_visible_to(customer),
    )
    return {str(pk) for pk in own.values_list("pk", flat=True)}
