"""Create the task instances due on a local date. The scheduler runs this just after midnight."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academics.tasks.services import MAX_BACKFILL_DAYS, generate_task_instances
from academy.errors import DomainError


class Command(BaseCommand):
    help = "Create today's (or --date's) instances of active recurring tasks. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="Local date YYYY-MM-DD (default today).")
        parser.add_argument(
            "--backfill-days",
            type=int,
            default=0,
            help=f"Also create missed days before it (max {MAX_BACKFILL_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = generate_task_instances(day=options["date"], backfill_days=options["backfill_days"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        span = f"{result.dates[0]}…{result.dates[-1]}" if len(result.dates) > 1 else str(result.dates[0])
        self.stdout.write(
            f"{span}: {result.due} due, {result.created} created, {result.due - result.created} existed."
        )
