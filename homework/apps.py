from django.apps import AppConfig


class HomeworkConfig(AppConfig):
    name = "homework"
    verbose_name = "Homework"

    def ready(self) -> None:
        from homework import audit_names
        from homework.start import start_items
        from ui import start

        start.register(20, "homework", start_items)
        audit_names.register()
