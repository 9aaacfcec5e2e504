from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from incidents.pruning import occurrences_prune


class Command(BaseCommand):
    help = "Remove incident occurrences older than --days days (dry run unless --apply); summaries stay."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, required=True, help="Keep occurrences of the last N days.")
        parser.add_argument("--apply", action="store_true", help="Delete; without it, only report.")

    def handle(self, *args: Any, days: int, apply: bool, **options: Any) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1.")
        result = occurrences_prune(actor="command:prune_incidents", days=days, apply=apply)
        verb = "Deleted" if apply else "Would delete"
        self.stdout.write(
            f"{verb} {result.occurrences} occurrences older than {result.cutoff:%Y-%m-%d %H:%M} "
            f"from {result.incidents} incidents; incident summaries are kept."
        )
        if not apply:
            self.stdout.write("Dry run: nothing was deleted. Add --apply to delete.")
