"""Demo people. Idempotent: running it again changes nothing that exists."""

from typing import TextIO

from accounts.models import Role, User

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("admin@demo.academy", "Ada Admin", Role.ADMIN),
    ("parent@demo.academy", "Paula Parent", Role.CUSTOMER),
    ("parent2@demo.academy", "Peter Parent", Role.CUSTOMER),
]


def seed(stdout: TextIO) -> None:
    for email, name, role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name, role=role)
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            stdout.write(f"  created {role} {email}\n")
    stdout.write(f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(e for e, _, _ in DEMO_USERS) + "\n")
