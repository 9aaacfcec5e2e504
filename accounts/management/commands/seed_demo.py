"""Load the demo data: people first, then each app's own `demo.seed`, in INSTALLED_APPS order."""

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the demo academy (idempotent): demo logins, students and each app's sample data."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
