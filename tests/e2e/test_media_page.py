"""Admin > Insights > Media in a real browser: the optimise button hides at once, the backend
refuses a second dispatch, and a refusal shows its message and brings the button back."""

import json

import pytest

from media import jobstate, services
from media.tests.factories import make_video, stored_video
from tests.s3_fixtures import local_storage  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# Records what the page hands the incident reporter (incidents/static/incidents/reporter.js).
REPORTER_STUB = """
window.__reports = [];
Object.defineProperty(window, "academyReport", {
  configurable: true,
  get: function () { return function (r) { window.__reports.push({
    status: r.status, method: r.method, url: r.url, payload: r.payload, uiMessage: r.uiMessage,
    entity: r.element && r.element.closest("[data-entity]").getAttribute("data-entity"),
    hasResponse: !!r.response,
  }); }; },
  set: function () {},  // keep the stub even though the real reporter loads after it
});
"""


@pytest.fixture
def video_item(local_storage, tmp_path, parent, student):  # noqa: F811
    path = make_video(tmp_path / "proof.mp4", "160x120", audio=False)
    return stored_video(path=path, uploader=parent)


def _active_jobs(item_id: int) -> int:
    state = jobstate.states_for([item_id]).get(item_id)
    return 1 if state is not None and state.status == "queued" else 0


def test_optimise_hides_at_once_and_a_second_dispatch_is_refused(page, login, admin, video_item):
    login(admin)
    page.goto("/admin/insights/media/")
    row = page.locator(f'[data-entity="media:{video_item.pk}"]')
    button = row.get_by_role("button", name=f"Optimise {video_item.original_name}")
    assert button.is_visible()
    assert button.get_attribute("title")

    # Hidden in the click handler itself, before any response can arrive.
    hidden_synchronously = page.evaluate(
        """(id) => {
            const b = document.querySelector('[data-entity="media:' + id + '"] [data-optimise]');
            b.click();
            return b.hidden;
        }""",
        video_item.pk,
    )
    assert hidden_synchronously is True
    row.locator("[data-role=state]", has_text="Queued").wait_for()
    assert row.locator("[data-optimise]").count() == 0
    assert _active_jobs(video_item.pk) == 1

    # The second click path: a direct POST with the page's session and CSRF token is refused.
    refused = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token, 'Accept': 'application/json'}});
            return {status: r.status, body: await r.json()};
        }""",
        f"/admin/insights/media/{video_item.pk}/optimise/",
    )
    assert refused["status"] == 409
    assert refused["body"]["error"]["code"] == "already_queued"
    assert _active_jobs(video_item.pk) == 1

    page.reload()
    assert row.locator("[data-role=state]").inner_text() == "Queued"
    assert row.locator("[data-optimise]").count() == 0
    assert page.console_errors == [] or all("409" in e for e in page.console_errors)


def test_refusal_shows_the_message_and_the_button_returns(page, login, admin, video_item):
    page.add_init_script(REPORTER_STUB)
    login(admin)
    page.goto("/admin/insights/media/")
    row = page.locator(f'[data-entity="media:{video_item.pk}"]')
    button = row.locator("[data-optimise]")
    assert button.is_visible()

    services.media_optimise_request(actor=admin, item=video_item)  # another admin was quicker
    button.click()

    message = row.locator("[data-role=message]")
    message.filter(has_text="already queued").wait_for()
    assert button.is_visible()  # back, so the admin can see and retry
    assert row.locator("[data-role=state]").inner_text() == "Queued"
    reports = page.evaluate("window.__reports")
    assert len(reports) == 1
    assert reports[0]["status"] == 409
    assert reports[0]["entity"] == f"media:{video_item.pk}"
    assert reports[0]["method"] == "POST" and reports[0]["hasResponse"]
    assert "already queued" in reports[0]["uiMessage"]
    assert json.dumps(reports[0]["payload"]).find("already_queued") != -1
    assert _active_jobs(video_item.pk) == 1
