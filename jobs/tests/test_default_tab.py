"""The Jobs page opens on the first tab with something in it: failed, stuck, pending, ..."""

import pytest
from django.urls import reverse

from jobs.tests.factories import make_job

pytestmark = pytest.mark.django_db


def _active_tab(admin_client) -> str:
    return admin_client.get(reverse("jobs:insights")).context["filters"].tab


def test_failed_jobs_come_first(admin_client):
    make_job("succeeded")
    make_job("pending")
    assert _active_tab(admin_client) == "pending"
    make_job("failed")
    assert _active_tab(admin_client) == "failed"


def test_succeeded_when_nothing_else(admin_client):
    make_job("succeeded")
    assert _active_tab(admin_client) == "succeeded"


def test_an_empty_queue_opens_on_failed(admin_client):
    assert _active_tab(admin_client) == "failed"


def test_a_chosen_tab_is_kept_and_polling_keeps_it(admin_client):
    make_job("failed")
    page = admin_client.get(reverse("jobs:insights"), {"tab": "succeeded"})
    assert page.context["filters"].tab == "succeeded"
    # The polled tab strip keeps the default tab active, not "pending".
    assert (
        f"{reverse('jobs:counts')}?tab=failed" in admin_client.get(reverse("jobs:insights")).content.decode()
    )
