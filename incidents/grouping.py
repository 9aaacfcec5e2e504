"""Grouping of waiting browser reports: from the incident inbox into occurrences and incidents.

Ingest (incidents/ingest.py) keeps each browser report in the inbox and answers 202; a job
(incidents/tasks.py), the periodic backstop and the hub's "Group them now" call
`pending_reports_group` just after. A report whose request id matches a backend record of the
same person completes that occurrence instead of starting a new one: "the person saw" beside
"the backend said".
"""

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When

from accounts.models import User
from incidents.capture import Capture
from incidents.models import Occurrence, OccurrenceEntity, PendingReport
from incidents.recording import (
    OccurrenceToRecord,
    build_before_writing,
    link_entities,
    record_occurrences,
    side_fields,
)


@dataclass(frozen=True)
class Grouped:
    reports: int
    paired: int
    more_waiting: bool  # stopped at `limit` with reports still in the inbox


# Reports per transaction: batches of 50 cost ~0.16 ms a report (SQLite, 2 CPUs); larger ones
# save little and hold SQLite's one writer lock longer.
GROUP_BATCH = 50


def pending_reports_group(*, limit: int | None = None, batch: int = GROUP_BATCH) -> Grouped:
    """Group waiting browser reports, oldest first, a batch per transaction.

    A batch is read from the inbox, parsed and made into rows (build_before_writing) before the
    write transaction that records it: on SQLite, other writers of the main database wait while
    grouping holds its lock. Reports leave the inbox once their batch is committed (on SQLite the
    inbox is another database, incidents/inbox.py), and each is recorded exactly once all the
    same: the transaction first leaves out the reports an occurrence was already recorded from
    (Occurrence.inbox_report_key: a run stopped before it removed them, or another run recorded
    them first), and one that completed a backend record is known by its request id. An error
    rolls its batch back and leaves those reports waiting for the next run.
    """
    reports = paired = 0
    while limit is None or reports < limit:
        size = batch if limit is None else min(batch, limit - reports)
        read, waiting = _pending_batch(size)
        started = time.monotonic()
        if read:
            keys = [item.report_key for item in waiting]
            try:
                with transaction.atomic():
                    recorded = _recorded_already(keys)
                    fresh = [item for item in waiting if item.report_key not in recorded]
                    paired += browser_reports_record(fresh)
            except IntegrityError:
                recorded, fresh = _recorded_already(keys), []
                if not recorded:
                    raise
                # Another run was recording some of them at that moment (PostgreSQL): it has
                # those. Only those leave the inbox: that run may have read fewer reports than
                # this one, and the rest wait for the next run (found by bench/soak.py, where
                # accepted reports were lost this way).
                read = list(
                    PendingReport.objects.filter(pk__in=read, key__in=recorded).values_list("pk", flat=True)
                )
            _remove_from_inbox(read)
            reports += len(fresh)
            if recorded:
                # Another run grouped some of these first (or one stopped before removing them).
                # It goes on until none are left; two runs reading the same oldest reports would
                # only keep colliding.
                return Grouped(reports=reports, paired=paired, more_waiting=PendingReport.objects.exists())
        if len(read) < size:
            return Grouped(reports=reports, paired=paired, more_waiting=False)  # none were left
        if connection.vendor == "sqlite":
            # SQLite has one writer at a time, and a writer that finds it taken sleeps in
            # growing steps (1, 2, 5, 10, 15 .. ms) before it tries again. Batch after batch
            # with no pause, another writer (a job, an admin's action) would sleep through
            # several batches; pausing as long as the transaction took hands the lock over.
            time.sleep(time.monotonic() - started)
    return Grouped(reports=reports, paired=paired, more_waiting=PendingReport.objects.exists())


def _pending_batch(size: int) -> tuple[list[int], list[OccurrenceToRecord]]:
    """The ids of the oldest waiting reports, up to `size`, and those to record, parsed and
    fingerprinted.

    Not claimed: another run may group them first. A report whose account was deleted since is
    not recorded (it goes with the account), only removed."""
    fields = ("id", "key", "actor_id", "capture", "received_at")
    rows = list(PendingReport.objects.order_by("id").values_list(*fields)[:size])
    actors = User.objects.in_bulk({actor_id for _, _, actor_id, _, _ in rows})
    waiting = [
        OccurrenceToRecord(
            actor=actors[actor_id], capture=Capture.from_json(capture), at=received_at, report_key=key
        ).anchored()  # before build_before_writing: it makes the entity rows
        for _, key, actor_id, capture, received_at in rows
        if actor_id in actors
    ]
    build_before_writing(waiting)
    return [pk for pk, _, _, _, _ in rows], waiting


def _remove_from_inbox(report_ids: list[int]) -> None:
    PendingReport.objects.filter(pk__in=report_ids).delete()


def _recorded_already(report_keys: list[UUID | None]) -> set[UUID]:
    """Which of these inbox reports (PendingReport.key) an occurrence was recorded from."""
    found = Occurrence.objects.filter(inbox_report_key__in=report_keys)
    return {key for key in found.values_list("inbox_report_key", flat=True) if key is not None}


def browser_reports_record(reports: list[OccurrenceToRecord]) -> int:
    """Record browser reports, oldest first; how many completed a backend record.

    A report whose request id matches an occurrence of the same person joins it: "the person
    saw" beside "the backend said". A second report of the same request is the same report sent
    twice: the first is kept. Every other report is a new occurrence, all in one
    `record_occurrences`. Callers hold a transaction.
    """
    known = _backend_records_of(reports)
    new: list[OccurrenceToRecord] = []
    handled: set[tuple[str, int]] = set()
    paired = 0
    links: list[OccurrenceEntity] = []
    for report in reports:
        if report.capture.request_id:
            key = (report.capture.request_id, report.actor.pk if report.actor else 0)
            if key in handled:
                continue  # the same report twice: keep the first
            handled.add(key)
            if key in known:
                pk, incident_id, has_browser_side = known[key]
                if not has_browser_side and _add_browser_side(pk, report):
                    paired += 1
                    links += report.entity_links(pk, incident_id)
                continue
        new.append(report)
    record_occurrences(new)
    link_entities(links)  # the backend may have named some of them already
    return paired


def _backend_records_of(reports: list[OccurrenceToRecord]) -> dict[tuple[str, int], tuple[int, int, bool]]:
    """{(request id, actor id): (occurrence id, incident id, has a browser side)} of the latest
    occurrence recorded for each report's request and person."""
    wanted = {(r.capture.request_id, r.actor.pk) for r in reports if r.capture.request_id and r.actor}
    known: dict[tuple[str, int], tuple[int, int, bool]] = {}
    if not wanted:
        return known
    candidates = (
        Occurrence.objects.filter(request_id__in={request_id for request_id, _ in wanted})
        .order_by("id")
        .values_list("request_id", "actor_id", "pk", "incident_id", "browser_reported_at")
    )
    for request_id, actor_id, pk, incident_id, browser_at in candidates:
        if (request_id, actor_id) in wanted:  # the latest one wins
            known[(request_id, actor_id)] = (pk, incident_id, browser_at is not None)
    return known


def _add_browser_side(occurrence_id: int, report: OccurrenceToRecord) -> bool:
    fields: dict[str, Any] = side_fields(report.capture, report.at)
    user_agent = fields.pop("user_agent")
    # Conditional: of two runs that both saw the occurrence without a browser side, one writes.
    return bool(
        Occurrence.objects.filter(pk=occurrence_id, browser_reported_at__isnull=True).update(
            **fields, user_agent=Case(When(user_agent="", then=Value(user_agent)), default=F("user_agent"))
        )
    )
