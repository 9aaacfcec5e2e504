"""Admin > Insights > Media: access by persona, derived states, filters, the optimise endpoints."""

import pytest
from django.urls import reverse

from jobs import lifecycle
from media import jobstate
from media.models import MediaItem
from media.pipeline import VideoRejected
from media.tasks import process_video_proof
from media.tests.factories import failed_optimise_job, queued_optimise_job, stored_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(local_storage, videos, work_dir, parent, student):
    """One item in each derived state: original only, queued, optimised, failed (its job ended
    over the memory limit: worth trying again) and refused (not a video: never worth it)."""
    original = stored_video(path=videos["tiny"], uploader=parent)
    queued = stored_video(path=videos["tiny"], uploader=parent)
    queued_optimise_job(queued)
    optimised = stored_video(path=videos["landscape"], uploader=parent)
    process_video_proof.call(optimised.pk)
    failed = stored_video(path=videos["tiny"], uploader=parent)
    failed_optimise_job(failed, "The job used more than 512 MB of memory.", error=lifecycle.MEMORY_CLASS)
    refused = stored_video(path=videos["text"], uploader=parent)
    with pytest.raises(VideoRejected) as rejected:
        process_video_proof.call(refused.pk)
    failed_optimise_job(refused, rejected.value.message)
    return {
        "original_only": original,
        "queued": queued,
        "optimised": optimised,
        "failed": failed,
        "refused": refused,
    }


def _urls(item: MediaItem) -> list[tuple[str, str]]:
    variant = item.variants.get(role="original")
    return [
        ("get", reverse("media:insights")),
        ("get", reverse("media:detail", kwargs={"media_id": item.pk})),
        ("get", reverse("media:variant_file", kwargs={"variant_id": variant.pk})),
        ("post", reverse("media:optimise", kwargs={"media_id": item.pk})),
        ("post", reverse("media:optimise_all")),
    ]


@pytest.mark.parametrize("who", ["parent_client", "other_parent_client"])
def test_customers_are_refused(request, items, who):
    client = request.getfixturevalue(who)
    for method, url in _urls(items["original_only"]):
        response = getattr(client, method)(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 403, url
    assert jobstate.states_for([items["original_only"].pk]) == {}


def test_anonymous_is_sent_to_login(anon_client, items):
    for method, url in _urls(items["original_only"]):
        response = getattr(anon_client, method)(url)
        assert response.status_code in (302, 403), url
        if method == "get":
            assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_page_shows_derived_state_and_button_only_when_eligible(admin_client, items):
    response = admin_client.get(reverse("media:insights"))
    assert response.status_code == 200
    html = response.content.decode()
    for state, item in items.items():
        start = html.index(f'data-entity="media:{item.pk}"')
        row = html[start : html.index("</tr>", start)]
        assert f'data-state="{state}"' in row
        has_button = "data-optimise=" in row
        assert has_button == (state in ("original_only", "failed")), state
        if has_button:
            assert 'aria-label="Optimise' in row and "title=" in row
    failed_row = html[html.index(f'data-entity="media:{items["failed"].pk}"') :]
    assert "more than 512 MB" in failed_row[: failed_row.index("</tr>")]
    refused_row = html[html.index(f'data-entity="media:{items["refused"].pk}"') :]
    refused_row = refused_row[: refused_row.index("</tr>")]
    assert "Refused" in refused_row and "not a video we can read" in refused_row
    assert (
        "Optimise all eligible (<span data-eligible-count>3</span>)" in html
    )  # refused counted: see eligible()


def test_page_query_count_is_pinned(admin_client, items, django_assert_num_queries, parent, student, videos):
    admin_client.get(reverse("media:insights"))  # warm the session
    # session, user, count, the page's items, their variants, their jobs, the eligible count
    with django_assert_num_queries(7):
        admin_client.get(reverse("media:insights"))
    for _ in range(5):
        stored_video(path=videos["tiny"], uploader=parent)
    with django_assert_num_queries(7):
        admin_client.get(reverse("media:insights"))


def test_filters_count_and_pages_in_the_database(
    admin_client, items, parent, student, django_assert_num_queries
):
    """60 more original-only videos (rows only, no files): the eligible list has 63 rows on two
    pages, every query works on one page whatever the total, and no item is loaded beyond it."""
    from media.models import MediaVariant

    for i in range(60):
        extra = MediaItem.objects.create(
            uploader=parent, original_name=f"extra-{i}.mp4", kind="video",
            content_type="video/mp4", size_bytes=1000 + i,
        )  # fmt: skip
        MediaVariant.objects.create(
            item=extra,
            role="original",
            storage_key=f"extra/{i}",
            size_bytes=1000 + i,
            content_type="video/mp4",
        )
    url = reverse("media:insights")
    admin_client.get(url)
    with django_assert_num_queries(6) as captured:  # the list's count is the eligible count: once
        first = admin_client.get(url, {"state": "eligible"}).content.decode()
    assert (
        "Page 1 of 2 · 63 in all" in first
        and "Optimise all eligible (<span data-eligible-count>63</span>)" in first
    )
    assert all("LIMIT" in q["sql"] or "COUNT" in q["sql"] or "IN (" in q["sql"] or "session" in q["sql"]
               or "accounts_user" in q["sql"] for q in captured.captured_queries)  # fmt: skip
    second = admin_client.get(url, {"state": "eligible", "page": 2}).content.decode()
    assert sum(second.count(f'data-state="{s}"') for s in ("original_only", "failed", "refused")) == 13
    queued = admin_client.get(url, {"state": "queued"}).content.decode()
    assert "1 in all" in queued and f'data-entity="media:{items["queued"].pk}"' in queued


def test_saving_and_student_sorts(admin_client, items):
    html = admin_client.get(reverse("media:insights"), {"sort": "saving"}).content.decode()
    optimised = html.index(f'data-entity="media:{items["optimised"].pk}"')
    assert all(
        optimised < html.index(f'data-entity="media:{item.pk}"')
        for k, item in items.items()
        if k != "optimised"
    )
    assert admin_client.get(reverse("media:insights"), {"sort": "student"}).status_code == 200


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("eligible", {"original_only", "failed", "refused"}),
        ("queued", {"queued"}),
        ("optimised", {"optimised"}),
        ("failed", {"failed"}),
        ("refused", {"refused"}),
        ("", {"original_only", "queued", "optimised", "failed", "refused"}),
    ],
)
def test_state_filters(admin_client, items, state, expected):
    html = admin_client.get(reverse("media:insights"), {"state": state}).content.decode()
    shown = {name for name, item in items.items() if f'data-entity="media:{item.pk}"' in html}
    assert shown == expected


def test_kind_date_and_sort_filters(admin_client, items):
    assert "media:" not in admin_client.get(
        reverse("media:insights"), {"kind": "image"}
    ).content.decode().split("<tbody>")[1].split("</tbody>")[0].replace('data-entity="media:', "")
    html = admin_client.get(
        reverse("media:insights"), {"from": "2000-01-01", "sort": "largest"}
    ).content.decode()
    assert html.index(f'media:{items["optimised"].pk}"') < html.index(f'media:{items["queued"].pk}"')
    html = admin_client.get(reverse("media:insights"), {"to": "2000-01-01"}).content.decode()
    assert "No media items match." in html


def test_optimise_endpoint_queues_then_refuses(admin_client, items):
    item = items["original_only"]
    url = reverse("media:optimise", kwargs={"media_id": item.pk})

    first = admin_client.post(url, HTTP_ACCEPT="application/json")
    second = admin_client.post(url, HTTP_ACCEPT="application/json")

    assert first.status_code == 202
    assert first.json()["status"] == "queued" and first.json()["job_id"]
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_queued"
    assert second.json()["error"]["request_id"]


def test_optimise_endpoint_refuses_optimised(admin_client, items):
    url = reverse("media:optimise", kwargs={"media_id": items["optimised"].pk})
    response = admin_client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_optimised"


def test_a_refused_video_is_not_offered_again(admin_client, items):
    """Its input was refused (not a video, over a limit): another try would be refused the same way,
    so the endpoint says so and "Optimise all eligible" skips it; a failure of another kind
    (the memory limit) may be tried again."""
    assert f"{VideoRejected.__module__}.{VideoRejected.__qualname__}" == jobstate.REFUSED_CLASS
    url = reverse("media:optimise", kwargs={"media_id": items["refused"].pk})
    response = admin_client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "video_refused"
    assert "new recording" in response.json()["error"]["message"]
    retried = admin_client.post(
        reverse("media:optimise", kwargs={"media_id": items["failed"].pk}), HTTP_ACCEPT="application/json"
    )
    assert retried.status_code == 202


def test_optimise_unknown_item_is_404(admin_client, db):
    response = admin_client.post(
        reverse("media:optimise", kwargs={"media_id": 999}), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404


def test_optimise_all_endpoint(admin_client, items):
    response = admin_client.post(reverse("media:optimise_all"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert sorted(response.json()["queued"]) == sorted([items["original_only"].pk, items["failed"].pk])
    again = admin_client.post(reverse("media:optimise_all"), HTTP_ACCEPT="application/json")
    assert again.json()["queued"] == []


def test_detail_lists_variants_and_plays(admin_client, items):
    item = items["optimised"]
    html = admin_client.get(reverse("media:detail", kwargs={"media_id": item.pk})).content.decode()
    for role in ("Original", "Web MP4", "Poster"):
        assert role in html
    assert "<video" in html


def test_variant_file_serves_ranges(admin_client, items):
    web = items["optimised"].variants.get(role="web")
    url = reverse("media:variant_file", kwargs={"variant_id": web.pk})
    whole = admin_client.get(url)
    assert whole.status_code == 200 and int(whole["Content-Length"]) == web.size_bytes
    part = admin_client.get(url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 0-99/{web.size_bytes}"
    assert len(b"".join(part.streaming_content)) == 100
    assert admin_client.get(url, HTTP_RANGE=f"bytes={web.size_bytes + 10}-").status_code == 416


def test_variant_file_redirects_to_presigned_url_on_s3(s3_storage, admin_client, videos, parent, student):
    item = stored_video(path=videos["tiny"], uploader=parent)
    variant = item.variants.get()
    response = admin_client.get(reverse("media:variant_file", kwargs={"variant_id": variant.pk}))
    assert response.status_code == 302
    assert "X-Amz-Signature" in response["Location"]


def test_navigation_shows_media(admin_client, db):
    html = admin_client.get(reverse("media:insights")).content.decode()
    assert 'href="/admin/insights/media/"' in html
