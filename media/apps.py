from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        from academy.metrics import register_collector
        from media.metrics import StorageCollector

        register_collector(StorageCollector())
