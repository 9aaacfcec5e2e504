"""python manage.py worker [--queues a,b] [--memory-limit 512M] [--max-tasks N] [--concurrency N]"""

import logging
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from academy.env import parse_size
from jobs.runtime import check_limit, read_limits, yield_cpu
from jobs.worker import Worker


class Command(BaseCommand):
    help = "Run background jobs, each in a child process with a resident-memory limit."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queues", default="default", help="comma-separated queue names, or * for all")
        parser.add_argument(
            "--memory-limit",
            default=getattr(settings, "JOBS_MEMORY_LIMIT", "512M"),
            help="per-job resident memory limit, e.g. 512M (default %(default)s)",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many jobs")
        parser.add_argument("--concurrency", type=int, default=1, help="jobs run at once (default 1)")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--grace", type=float, default=30.0, help="seconds to finish jobs on SIGTERM")
        parser.add_argument("--backend", default="default", help="django.tasks backend alias")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            limit = parse_size(str(options["memory_limit"]), name="--memory-limit")
            limits = read_limits(limit)
            check_limit(limits)
        except (ImproperlyConfigured, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1")
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks must be at least 1")
        if options["interval"] < 0 or options["grace"] < 0:
            raise CommandError("--interval and --grace must be zero or more")
        if options["verbosity"] == 0:  # as db_worker: -v 0 silences the per-job log lines
            logging.getLogger("django.tasks").setLevel(logging.CRITICAL)
            logging.getLogger("jobs").setLevel(logging.WARNING)
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()]
        # Background work yields the CPU to people's requests: the worker's own bookkeeping (the
        # claim, the fork, the result) as well as its jobs. In a storm of incident reports, a
        # grouping run every five seconds at the web processes' priority still showed in the
        # admin page's slowest loads with only the job processes niced (bench/incidents.py, the
        # storm on SQLite: the page's p99 +27 %, +29 %, -10 % in three rounds; +0, +20, +11 %
        # with the worker niced too). On a machine of its own this changes nothing.
        yield_cpu(settings.JOBS_NICE)
        worker = Worker(
            limits=limits,
            queues=queues or ["default"],
            concurrency=options["concurrency"],
            max_tasks=options["max_tasks"],
            batch=options["batch"],
            interval=options["interval"],
            grace=options["grace"],
            backend_name=options["backend"],
        )
        worker.install_signals()
        worker.run()
