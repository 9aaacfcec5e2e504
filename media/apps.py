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

        from jobs import consequences
        from media.jobstate import OPTIMISE_TASK_PATH

        consequences.register(
            OPTIMISE_TASK_PATH,
            consequences.Consequences(
                delete="Its video is not left “processing”: it goes back to “eligible” on the Media page, "
                "where it can be optimised again. The parent's original file is kept.",
                rerun="Its video is optimised again from the original; the parent's file is not touched.",
            ),
        )
