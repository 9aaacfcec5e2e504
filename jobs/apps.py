from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from academy.metrics import register_collector
        from jobs.queue_metrics import JobsCollector

        register_collector(JobsCollector())
