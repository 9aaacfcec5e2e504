"""`manage.py migrate` that migrates every configured database unless told which one.

Django migrates one database per run (`--database`, default "default"). On SQLite this app has
two, the main file and the incident inbox beside it (incidents/inbox.py), and an operator who
runs `migrate` as usual must get both. With `--database` it is Django's command unchanged (the
test runner names each database).
"""

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands import migrate
from django.db import connections


def _aliases(options: dict[str, Any]) -> list[str]:
    return list(connections) if options["database"] is None else [options["database"]]


class Command(migrate.Command):
    help = "Updates database schema: every configured database, or the one --database names."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database=None)

    def get_check_kwargs(self, options: Any) -> Any:
        kwargs = super().get_check_kwargs({**options, "database": "default"})
        kwargs["databases"] = _aliases(options)
        return kwargs

    def handle(self, *args: Any, **options: Any) -> None:
        aliases = _aliases(options)
        for alias in aliases:
            if options["verbosity"] >= 1 and len(aliases) > 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Database {alias}:"))
            super().handle(*args, **{**options, "database": alias})
