"""Browser: the Media page's "Optimise all eligible (N)" follows the rows queued from the page."""

import pytest

from media.models import MediaItem, MediaVariant

pytestmark = pytest.mark.django_db(transaction=True)


def _video(student, parent, name: str) -> MediaItem:
    item = MediaItem.objects.create(
        uploader=parent, original_name=name, kind="video",
        content_type="video/mp4", size_bytes=1000,
    )  # fmt: skip
    MediaVariant.objects.create(item=item, role="original", storage_key=f"k/{name}", size_bytes=1000,
                                content_type="video/mp4")  # fmt: skip
    return item


def test_eligible_count_follows_queued_rows(page, login, admin, parent, student):
    first, _second = _video(student, parent, "a.mp4"), _video(student, parent, "b.mp4")
    login(admin)
    page.goto("/admin/insights/media/")
    all_button = page.locator("[data-optimise-all]")
    assert all_button.inner_text().strip() == "Optimise all eligible (2)"

    page.locator(f'[data-entity="media:{first.pk}"]').get_by_role("button", name="Optimise").click()
    page.locator(f'[data-entity="media:{first.pk}"] [data-role=state]').filter(has_text="Queued").wait_for()
    assert all_button.inner_text().strip() == "Optimise all eligible (1)"

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    all_button.click()
    page.locator(".toast").filter(has_text="queued").wait_for()
    assert asked[0].startswith("Optimise 1 video now?")
    assert all_button.inner_text().strip() == "Optimise all eligible (0)"
    assert all_button.is_disabled()
    assert page.console_errors == []
