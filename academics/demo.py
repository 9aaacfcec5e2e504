"""Demo students, split between the two demo parents. Idempotent."""

from typing import TextIO

from academics.models import Student
from accounts.models import User

DEMO_STUDENTS = [
    ("Alice", "Andrews", "Year 5", "parent@demo.academy"),
    ("Ben", "Andrews", "Year 3", "parent@demo.academy"),
    ("Chloe", "Brown", "Year 8", "parent2@demo.academy"),
    ("Daniel", "Brown", "Year 10", "parent2@demo.academy"),
    ("Ella", "Clarke", "Year 6", "parent2@demo.academy"),
]


def seed(stdout: TextIO) -> None:
    for first, last, year, parent_email in DEMO_STUDENTS:
        student, created = Student.objects.get_or_create(
            first_name=first, last_name=last, defaults={"school_year": year}
        )
        student.customers.add(User.objects.get(email=parent_email))
        if created:
            stdout.write(f"  created student {student.full_name}\n")
