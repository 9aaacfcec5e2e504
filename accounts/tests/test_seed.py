import io

import pytest
from django.core.management import call_command

from academics.models import Student
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Student.objects.count())
    assert "demo-pass-2026" in out.getvalue()
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Student.objects.count()) == counts
    admin = User.objects.get(email="admin@demo.academy")
    assert admin.is_admin and admin.check_password("demo-pass-2026")
    parent = User.objects.get(email="parent@demo.academy")
    parent2 = User.objects.get(email="parent2@demo.academy")
    assert parent.students.exists() and parent2.students.exists()
    assert not set(parent.students.all()) & set(parent2.students.all())
