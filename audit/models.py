from datetime import datetime

from django.conf import settings
from django.db import connections, models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_entity(self, kind: str, entity_id: str | int) -> "AuditEventQuerySet":
        return self.filter(entity_kind=kind, entity_id=str(entity_id))

    def for_log_page(self) -> "AuditEventQuerySet":
        return self.select_related("actor").order_by("-created_at", "-id")

    def older_than(self, created_at: datetime, pk: int) -> "AuditEventQuerySet":
        """Events after (created_at, pk) in the log's order, newest first: a keyset, so the
        millionth event is found as fast as the first (an OFFSET reads every row before it).
        Written as `created_at <= t` and a tie-break, not as an OR, so the created_at index
        (or a filter's (kind, -created_at, -id) index) bounds the scan."""
        return (
            self.filter(created_at__lte=created_at)
            .exclude(created_at=created_at, pk__gte=pk)
            .order_by("-created_at", "-id")
        )

    def newer_than(self, created_at: datetime, pk: int) -> "AuditEventQuerySet":
        """Events before (created_at, pk) in the log's order, the nearest first (oldest first:
        a page of newer events is read upwards from where the person is, then turned round)."""
        return (
            self.filter(created_at__gte=created_at)
            .exclude(created_at=created_at, pk__lte=pk)
            .order_by("created_at", "id")
        )

    def kinds(self) -> list[str]:
        """Every entity kind in the log, in order. A loose index scan: one probe of the
        (entity_kind, ...) index per kind, where DISTINCT reads every row (~100 ms a million)."""
        connection = connections[self.db]
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        sql = (
            f"WITH RECURSIVE kinds (kind) AS (SELECT MIN(entity_kind) FROM {table} "  # noqa: S608 - our names
            f"UNION ALL SELECT (SELECT MIN(entity_kind) FROM {table} WHERE entity_kind > kinds.kind) "
            "FROM kinds WHERE kinds.kind IS NOT NULL) SELECT kind FROM kinds WHERE kind IS NOT NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [kind for (kind,) in cursor.fetchall()]


class AuditEvent(models.Model):
    """Who did what to which entity, when, and with what outcome. Written only by record_event."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    entity_kind = models.CharField(max_length=50)
    entity_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=32, default="ok")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["entity_kind", "entity_id", "-created_at"]),
            # One action's events, newest first (Lessons' deleted lessons, their restores): the
            # index's order is the page's order, so a read stops after the rows it shows.
            models.Index(fields=["action", "-created_at", "-id"], name="audit_action_newest"),
            # The log filtered by kind, newest first: without it a rare kind read the whole log.
            models.Index(fields=["entity_kind", "-created_at", "-id"], name="audit_kind_newest_first"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.entity_kind}:{self.entity_id}"

    @property
    def actor_name(self) -> str:
        """Who, as people say it: the person's name (or email), or what acted for the system.

        `actor_label` keeps "role:id email" for the record; a deleted user leaves only that."""
        if self.actor is not None:
            return str(self.actor)
        label = self.actor_label or "system"
        head, _, rest = label.partition(" ")
        if ":" in head and rest:
            return rest  # "admin:1 a@b.c" of a deleted user: the email
        return {"system": "The system", "scheduler": "The scheduler"}.get(label, label)
