"""Remove wrongly pre-generated future instances of recurring tasks. Dry run unless --apply."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from academics.task_services import BATCH_SIZE, PruneResult, prune_plan, task_instances_prune


class Command(BaseCommand):
    help = (
        "List (and with --apply delete) future instances of recurring tasks that were never touched "
        "(status todo, no completion). One-off tasks, today and past days are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Delete them (default: dry run).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["apply"]:
            plan = prune_plan()
            self._table(plan)
            if plan.total:
                self.stdout.write(
                    f"Dry run: {plan.total} instances would be deleted. Run with --apply to delete."
                )
            return
        result = task_instances_prune(
            actor="command:prune_future_task_instances",
            progress=self._progress,
            batch_size=options["batch_size"],
        )
        if result.total:
            self.stdout.write("")
        self._table(result)
        if result.deleted:
            self.stdout.write(
                self.style.SUCCESS(f"Deleted {result.deleted} instances (one audit event written).")
            )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        self.stdout.write(line, ending="")
        self.stdout.flush()

    def _table(self, plan: PruneResult) -> None:
        if not plan.rows:
            self.stdout.write("Nothing to prune: no future untouched instances of recurring tasks.")
            return
        header = f"{'task':>8}  {'title':<30} {'students':>8}  {'first':<10}  {'last':<10}  {'count':>8}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in plan.rows:
            self.stdout.write(
                f"{r['task_id']:>8}  {r['task__title'][:30]:<30} {r['students']:>8}  "
                f"{r['first']!s:<10}  {r['last']!s:<10}  {r['count']:>8}"
            )
        self.stdout.write("-" * len(header))
        self.stdout.write(f"{'total':>8}  {'':<30} {'':>8}  {'':<10}  {'':<10}  {plan.total:>8}")
