from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from django.tasks.signals import task_finished

        from academy.errors import error_response
        from academy.metrics import register_collector
        from incidents import audit_names, backend_capture
        from incidents.metrics import IncidentsCollector
        from incidents.start import start_items
        from ui import start

        error_response.connect(backend_capture.on_error_response, dispatch_uid="incidents.error_response")
        task_finished.connect(backend_capture.on_task_finished, dispatch_uid="incidents.task_finished")
        register_collector(IncidentsCollector())
        start.register(30, "incidents", start_items)
        audit_names.register()
