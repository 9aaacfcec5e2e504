"""The error contract: every status the same JSON shape for JSON/htmx callers, a friendly page
for people, never a traceback."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("academy.tests.urls")]

JSON = {"HTTP_ACCEPT": "application/json"}


def assert_contract(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def test_500_hides_the_traceback(admin_client):
    client = admin_client
    client.raise_request_exception = False
    error = assert_contract(client.get("/boom/", **JSON), 500, "server_error")
    assert "hunter2" not in error["message"]
    page = client.get("/boom/")
    assert page.status_code == 500
    assert b"hunter2" not in page.content and b"Traceback" not in page.content
    assert b"Something went wrong" in page.content


def test_domain_error_keeps_code_message_and_status(admin_client):
    error = assert_contract(admin_client.get("/refuse/", **JSON), 409, "lesson_has_attendance")
    assert error["message"] == "Cannot delete a lesson with attendance records."


def test_htmx_requests_get_json(admin_client):
    response = admin_client.get("/refuse/", HTTP_HX_REQUEST="true")
    assert_contract(response, 409, "lesson_has_attendance")


def test_full_page_refusal_is_a_friendly_page(admin_client):
    response = admin_client.get("/refuse/")
    assert response.status_code == 409
    assert b"Cannot delete a lesson with attendance records." in response.content
    assert response["X-Request-ID"].encode() in response.content


def test_404_and_403(parent_client):
    assert_contract(parent_client.get("/no-such-page/", **JSON), 404, "not_found")
    assert_contract(parent_client.get("/admin/academic/students/", **JSON), 403, "forbidden")
    assert parent_client.get("/no-such-page/").status_code == 404


def test_405(client):
    assert_contract(client.post("/healthz", **JSON), 405, "method_not_allowed")


def test_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/echo/", data=b"x" * 4096, content_type="application/octet-stream", **JSON)
    assert_contract(response, 413, "payload_too_large")


def test_429_carries_retry_after(client):
    response = client.get("/slow-down/", **JSON)
    assert_contract(response, 429, "rate_limited")
    assert response["Retry-After"] == "30"


def test_400_for_missing_csrf(admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post("/admin/academic/students/new/", {"first_name": "x"}, **JSON)
    assert_contract(response, 403, "csrf_failed")


def test_bad_request_from_suspicious_host(client):
    assert_contract(client.get("/healthz", HTTP_HOST="evil.example", **JSON), 400, "bad_request")


@pytest.mark.django_db
def test_get_or_not_found_gives_the_row_or_a_typed_404(admin, parent):
    from academy.errors import NotFound, get_or_not_found
    from accounts.models import Role, User

    assert get_or_not_found(User, "user_not_found", "No such person.", pk=admin.pk) == admin
    customers = User.objects.filter(role=Role.CUSTOMER)
    assert get_or_not_found(customers, "customer_not_found", "No such customer.", pk=parent.pk) == parent
    with pytest.raises(NotFound) as refused:  # outside the queryset: not found, like a missing row
        get_or_not_found(customers, "customer_not_found", "We could not find that customer.", pk=admin.pk)
    assert (refused.value.code, refused.value.message, refused.value.status) == (
        "customer_not_found",
        "We could not find that customer.",
        404,
    )


@pytest.mark.django_db
def test_a_missing_customer_is_a_404_with_the_error_contract(admin_client, admin):
    response = admin_client.post(f"/admin/customers/{admin.pk}/invite/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "customer_not_found"
