import io

import pytest
from django.core.management import call_command

from homework.models import Homework

pytestmark = pytest.mark.django_db


def test_demo_homework_is_seeded_once(local_storage):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    homework = Homework.objects.get(title="Fractions worksheet")
    item = homework.media.get()
    assert item.content_type == "text/plain" and item.kind == "document"
    assert (local_storage / item.variants.get().storage_key).exists()
