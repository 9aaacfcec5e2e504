from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        from media import audit_names
        from media.start import start_items
        from ui import start

        start.register(50, "media", start_items)
        audit_names.register()
