from django.conf import settings
from django.db import models


class Homework(models.Model):
    """A piece of homework a customer hands in for one of their students: one or more files."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        REVIEWED = "reviewed", "Reviewed"

    student = models.ForeignKey("academics.Student", on_delete=models.PROTECT, related_name="homework")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="homework_submitted"
    )
    title = models.CharField(max_length=200)
    # Optional link to an academic task; free-text homework has none. (Set by the homework views
    # once academic tasks exist; kept as a plain id so the apps stay independent.)
    task_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
