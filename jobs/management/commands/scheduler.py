"""python manage.py scheduler [--once]"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from jobs.scheduler import Scheduler, discover, run_due


class Command(BaseCommand):
    help = "Enqueue periodic jobs, each period once however many schedulers run."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="enqueue what is due now, then exit (for cron)"
        )
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        discover()
        if options["once"]:
            for done in run_due():
                self.stdout.write(f"enqueued {done.name} for {done.period.isoformat()} as job {done.job_id}")
            return
        Scheduler(tick=options["tick"]).run()
