from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from academy.metrics import register_collector
        from jobs import audit_names
        from jobs.queue_metrics import JobsCollector
        from jobs.start import start_items
        from ui import start

        register_collector(JobsCollector())
        start.register(40, "jobs", start_items)
        audit_names.register()
