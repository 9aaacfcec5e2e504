"""Browser: deleting a job asks first and says what follows for what the job was for."""

import pytest
from django_tasks_db.models import DBTaskResult

from media import jobstate
from media.models import MediaItem, MediaVariant
from media.tests.factories import queued_optimise_job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting_video(parent, student):
    item = MediaItem.objects.create(
        uploader=parent, original_name="proof.mp4", kind="video",
        content_type="video/mp4", size_bytes=1000,
    )  # fmt: skip
    MediaVariant.objects.create(item=item, role="original", storage_key="k/proof.mp4", size_bytes=1000,
                                content_type="video/mp4")  # fmt: skip
    return item, queued_optimise_job(item)


def test_deleting_a_waiting_video_job_asks_and_says_the_video_goes_back(page, login, admin, waiting_video):
    item, job_id = waiting_video
    login(admin)
    page.goto("/admin/insights/jobs/?tab=pending")
    row = page.locator(f'tr[data-job="{job_id}"]')
    asked: list[str] = []

    # Saying no changes nothing.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="Delete").click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Delete this job (Process video proof)? It will not run.")
    assert "goes back to “eligible”" in asked[0]
    assert DBTaskResult.objects.filter(pk=job_id).exists()

    # Bulk delete says how many.
    row.locator("input[type=checkbox]").check()
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete selected").click()
    page.wait_for_load_state("networkidle")
    assert asked[1].startswith("Delete 1 job? They will not run.")
    assert "goes back to “eligible”" in asked[1]
    assert not DBTaskResult.objects.filter(pk=job_id).exists()
    assert jobstate.states_for([item.pk]).get(item.pk) is None  # eligible again, not "processing"

    page.goto("/admin/insights/media/")
    assert (
        page.locator(f'[data-entity="media:{item.pk}"]').get_by_role("button", name="Optimise").count() == 1
    )
    assert page.console_errors == []
