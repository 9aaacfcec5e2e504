"""Remove wrongly pre-generated future instances of recurring tasks. Dry run unless --apply."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from academics.tasks.services import BATCH_SIZE, PruneResult, prune_rows, prune_summary, task_instances_prune


class Command(BaseCommand):
    help = (
        "List (and with --apply delete) future instances of recurring tasks that were never touched "
        "(status todo, no completion). One-off tasks, today and past days are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Delete them (default: dry run).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = prune_summary()
        if not summary.total:
            self.stdout.write("Nothing to prune: no future untouched instances of recurring tasks.")
            return
        self._table(summary)
        if not options["apply"]:
            self.stdout.write(
                f"Dry run: {summary.total} instances would be deleted. Run with --apply to delete."
            )
            return
        result = task_instances_prune(
            actor="command:prune_future_task_instances",
            progress=self._progress,
            batch_size=options["batch_size"],
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {result.deleted} instances of {result.tasks} tasks "
                f"({result.first}…{result.last}); one audit event written."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()

    def _table(self, summary: PruneResult) -> None:
        header = f"{'task':>8}  {'title':<30} {'students':>8}  {'first':<10}  {'last':<10}  {'count':>8}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in prune_rows():
            self.stdout.write(
                f"{r['task_id']:>8}  {r['task__title'][:30]:<30} {r['students']:>8}  "
                f"{r['first']!s:<10}  {r['last']!s:<10}  {r['count']:>8}"
            )
        self.stdout.write("-" * len(header))
        self.stdout.write(
            f"{'total':>8}  {summary.tasks:>3} task(s){'':<18} {'':>8}  {summary.first!s:<10}  {summary.last!s:<10}  {summary.total:>8}"
        )
