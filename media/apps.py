from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        from django.urls import reverse

        from academy.metrics import register_collector
        from incidents.anchoring import register_link
        from jobs import consequences
        from media import audit_names
        from media.jobstate import OPTIMISE_TASK_PATH
        from media.metrics import StorageCollector
        from media.start import start_items
        from ui import start

        register_collector(StorageCollector())
        start.register(50, "media", start_items)
        audit_names.register()
        # The Incident Hub links the media items an incident names to their page.
        register_link("media", lambda ref: reverse("media:detail", kwargs={"media_id": ref}))
        consequences.register(
            OPTIMISE_TASK_PATH,
            consequences.Consequences(
                delete="Its video is not left “processing”: it goes back to “eligible” on the Media page, "
                "where it can be optimised again. The parent's original file is kept.",
                rerun="Its video is optimised again from the original; the parent's file is not touched.",
            ),
        )
