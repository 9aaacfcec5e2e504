from django.apps import AppConfig


class HomeworkConfig(AppConfig):
    name = "homework"
    verbose_name = "Homework"

    def ready(self) -> None:
        # The portal's Tasks page (academics) shows which tasks had homework handed in.
        from academics.portal_hooks import register_handed_in
        from homework.queries import handed_in_instance_ids

        register_handed_in(handed_in_instance_ids)
