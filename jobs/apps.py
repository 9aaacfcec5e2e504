from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from jobs import audit_names
        from jobs.start import start_items
        from ui import start

        start.register(40, "jobs", start_items)
        audit_names.register()
