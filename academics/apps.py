from django.apps import AppConfig


class AcademicsConfig(AppConfig):
    name = "academics"
    verbose_name = "Academic"

    def ready(self) -> None:
        from academics import audit_names
        from academics.start import start_items
        from incidents.anchoring import register
        from ui import start

        # A parent's incident report may name their own students' lessons, never another's.
        register("lesson", _lessons_visible_to)
        start.register(10, "academics", start_items)
        audit_names.register()


def _lessons_visible_to(customer: object, ids: set[str]) -> set[str]:
    from academics.models import Lesson
    from accounts.access import students_visible_to

    own = Lesson.objects.filter(
        pk__in=[int(i) for i in ids if i.isdigit()],
        students__in=students_visible_to(customer),  # type: ignore[arg-type]
    ).distinct()
    return {str(pk) for pk in own.values_list("pk", flat=True)}
