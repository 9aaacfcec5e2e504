"""Writes to students, each with its audit event in the same transaction."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from academics.models import Student
from academics.recording import set_people_and_record
from accounts.models import User
from accounts.services import customer_create
from audit.services import record_event

STUDENT_FIELDS = ("first_name", "last_name", "date_of_birth", "school_year", "notes")


@transaction.atomic
def student_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    date_of_birth: date | None = None,
    school_year: str = "",
    notes: str = "",
    customers: Iterable[User] = (),
) -> Student:
    student = Student.objects.create(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        school_year=school_year,
        notes=notes,
    )
    set_people_and_record(student, actor=actor, action="student.create", people="customers", chosen=customers)
    return student


@transaction.atomic
def student_update(
    *, actor: User, student: Student, customers: Iterable[User] | None = None, **changes: Any
) -> Student:
    unknown = set(changes) - set(STUDENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown student fields: {sorted(unknown)}")
    before = student.snapshot()
    for field, value in changes.items():
        setattr(student, field, value)
    student.save()
    set_people_and_record(
        student, actor=actor, action="student.update", people="customers", chosen=customers, before=before
    )
    return student


@transaction.atomic
def student_archive(*, actor: User, student: Student) -> Student:
    """Archive, never delete: lessons, attendance and homework keep pointing at the student."""
    if student.is_archived:
        return student
    before = student.snapshot()
    student.archived_at = timezone.now()
    student.save(update_fields=["archived_at", "updated_at"])
    record_event(
        actor=actor, action="student.archive", entity=student, before=before, after=student.snapshot()
    )
    return student


@transaction.atomic
def student_unarchive(*, actor: User, student: Student) -> Student:
    if not student.is_archived:
        return student
    before = student.snapshot()
    student.archived_at = None
    student.save(update_fields=["archived_at", "updated_at"])
    record_event(
        actor=actor, action="student.unarchive", entity=student, before=before, after=student.snapshot()
    )
    return student


def customer_invite(
    *, actor: User, email: str, full_name: str, students: Iterable[Student], base_url: str
) -> User:
    """Invite a customer (accounts) who will see these students, in one transaction and event."""
    chosen = list(students)

    def link(customer: User) -> dict[str, list[int]]:
        customer.students.set(chosen)
        return {"students": sorted(s.pk for s in chosen)}

    return customer_create(actor=actor, email=email, full_name=full_name, base_url=base_url, link=link)
