"""Students: who the academy teaches."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class StudentQuerySet(models.QuerySet["Student"]):
    def active(self) -> "StudentQuerySet":
        return self.filter(archived_at__isnull=True)

    def search(self, text: str) -> "StudentQuerySet":
        if not text:
            return self
        return self.filter(
            Q(first_name__icontains=text) | Q(last_name__icontains=text) | Q(school_year__icontains=text)
        )

    def named(self, text: str) -> "StudentQuerySet":
        """Students whose first or last name holds every word typed: "ali smi" finds Alice Smith."""
        qs = self
        for word in text.split()[:4]:
            qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return qs

    def for_admin_list(self) -> "StudentQuerySet":
        return self.prefetch_related("customers").order_by("last_name", "first_name", "id")


class Student(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    school_year = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)
    # A student can have more than one paying parent/guardian and a customer more than one student.
    customers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="students",
        blank=True,
        limit_choices_to={"role": "customer"},
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # Lists and name suggestions in name order: the database walks the index and stops
            # at the rows shown, rather than sorting every student named like what was typed.
            models.Index(fields=["last_name", "first_name", "id"], name="student_name_order"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def snapshot(self) -> dict[str, Any]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "date_of_birth": self.date_of_birth,
            "school_year": self.school_year,
            "notes": self.notes,
            "customers": sorted(c.pk for c in self.customers.all()),
            "archived_at": self.archived_at,
        }
