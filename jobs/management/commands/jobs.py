"""python manage.py jobs list|show|retry|delete|reap|prune — the Jobs page, from a terminal."""

import getpass
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from academy.errors import DomainError
from jobs import queries, services
from jobs.reaper import reap_stuck_jobs


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


class Command(BaseCommand):
    help = "Inspect and fix background jobs: list, show, retry, delete, reap, prune."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("list", help="list jobs of one tab")
        p.add_argument("--tab", default="failed", choices=list(queries.TABS))
        p.add_argument("--task", default="")
        p.add_argument("--queue", default="")
        p.add_argument("--search", default="")
        p.add_argument("--limit", type=int, default=50)
        p = sub.add_parser("show", help="show one job and its attempts")
        p.add_argument("job_id")
        p = sub.add_parser("retry", help="re-run failed or stuck jobs now")
        p.add_argument("job_ids", nargs="+")
        p = sub.add_parser("delete", help="delete pending or stuck jobs")
        p.add_argument("job_ids", nargs="+")
        sub.add_parser("reap", help="mark stuck jobs failed (worker lost), retrying retryable ones")
        p = sub.add_parser("prune", help="remove finished jobs older than --days (dry run unless --apply)")
        p.add_argument("--days", type=int, default=30)
        p.add_argument("--apply", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def do_list(self, options: dict[str, Any]) -> None:
        filters = queries.Filters(
            tab=options["tab"], task=options["task"], queue=options["queue"], search=options["search"]
        )
        rows = list(queries.job_list(filters)[: options["limit"]])
        for job in rows:
            info = getattr(job, "info", None)
            reason = info.reason if info else ""
            self.stdout.write(
                f"{job.pk}  {job.status:<10} {job.queue_name:<10} {job.task_path}  "
                f"{job.enqueued_at:%Y-%m-%d %H:%M:%S}  {reason}".rstrip()
            )
        self.stdout.write(f"{len(rows)} job(s) in {options['tab']}")

    def do_show(self, options: dict[str, Any]) -> None:
        detail = queries.job_detail(options["job_id"])
        job = detail.job
        self.stdout.write(f"job        {job.pk}")
        self.stdout.write(f"task       {job.task_path}")
        self.stdout.write(f"status     {detail.state}")
        self.stdout.write(f"queue      {job.queue_name}  priority {job.priority}")
        self.stdout.write(f"arguments  {job.args_kwargs}")
        self.stdout.write(f"request id {detail.request_id or '-'}")
        self.stdout.write(f"key        {detail.key or '-'}")
        self.stdout.write("attempts:")
        for a in detail.chain:
            self.stdout.write(
                f"  #{a.attempt} {a.job_id} {a.status:<10} started {a.started_at or '-'} "
                f"finished {a.finished_at or '-'} worker {a.worker_id or '-'} {a.reason}".rstrip()
            )
        if job.traceback:
            self.stdout.write("traceback:")
            self.stdout.write(job.traceback)

    def do_retry(self, options: dict[str, Any]) -> None:
        self._bulk("rerun", options["job_ids"])

    def do_delete(self, options: dict[str, Any]) -> None:
        self._bulk("delete", options["job_ids"])

    def _bulk(self, action: str, job_ids: list[str]) -> None:
        outcomes = services.jobs_bulk(actor=_actor(), action=action, job_ids=job_ids)
        failed = [o for o in outcomes if not o.ok]
        for o in outcomes:
            (self.stdout if o.ok else self.stderr).write(o.message)
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} refused")

    def do_reap(self, options: dict[str, Any]) -> None:
        reaped = reap_stuck_jobs()
        for r in reaped:
            again = f", retried as {r.retry_job_id}" if r.retry_job_id else ""
            self.stdout.write(f"{r.job_id}: worker lost ({r.worker_id}){again}")
        self.stdout.write(f"{len(reaped)} stuck job(s) reaped")

    def do_prune(self, options: dict[str, Any]) -> None:
        pruned = services.jobs_prune(actor=_actor(), days=options["days"], apply=options["apply"])
        verb = "removed" if pruned.applied else "would remove"
        self.stdout.write(
            f"{verb} {pruned.jobs} finished job(s), {pruned.claims} period claim(s) and "
            f"{pruned.workers} stopped worker(s) older than {pruned.days} day(s)"
        )
        if not pruned.applied:
            self.stdout.write("dry run: nothing changed; add --apply to remove them")
