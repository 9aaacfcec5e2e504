"""Ingest of browser reports: accepted now (202), grouped just after (incidents/grouping.py)."""

from uuid import uuid4

from django.db import connections, transaction
from django.utils import timezone

from accounts.models import User
from incidents import inbox, ratelimit
from incidents.capture import Capture
from incidents.models import PendingReport
from incidents.recording import insert_statement


def browser_report_accept(*, actor: User, capture: Capture) -> None:
    """Keep a report in the incident inbox for grouping, within its sender's rate limit (429
    past it).

    The limit's counters and the report's single INSERT commit together, and a refusal stores
    and counts nothing. On SQLite (one writer at a time; the inbox is a file of its own,
    incidents/inbox.py) that is one short write transaction; on PostgreSQL one statement
    (ratelimit.insert_within_limits). Grouping and pairing run just after, a batch at a time,
    in a job (incidents/tasks.py).
    """
    using = inbox.alias()
    report = PendingReport(
        actor_id=actor.pk, capture=capture.to_json(), received_at=timezone.now(), key=uuid4()
    )
    insert, params = insert_statement(
        PendingReport, [report], ["actor", "capture", "received_at", "key"], using
    )
    if connections[using].vendor == "postgresql":
        ratelimit.insert_within_limits(insert, params, user_id=actor.pk, ip=capture.client_ip)
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        ratelimit.check(user_id=actor.pk, ip=capture.client_ip)
        cursor.execute(insert, params)
