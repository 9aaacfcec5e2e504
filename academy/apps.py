from django.apps import AppConfig


class AcademyConfig(AppConfig):
    """The kernel: shared modules every app may use, and the one table they share
    (academy/models.py: the rate-limit counts)."""

    name = "academy"
    verbose_name = "Academy"
