from django.apps import AppConfig


class AcademicsConfig(AppConfig):
    name = "academics"
    verbose_name = "Academic"

    def ready(self) -> None:
        from academics import audit_names
        from academics.start import start_items
        from ui import start

        start.register(10, "academics", start_items)
        audit_names.register()
