import pytest

pytestmark = pytest.mark.django_db


def test_customer_sees_only_own_students(parent_client, student, other_student):
    response = parent_client.get("/portal/")
    assert response.status_code == 200
    assert list(response.context["students"]) == [student]
    assert b"Olive" not in response.content


def test_another_customers_student_is_404(parent_client, other_student):
    response = parent_client.get(f"/portal/students/{other_student.pk}/")
    assert response.status_code == 404
    json = parent_client.get(f"/portal/students/{other_student.pk}/", HTTP_ACCEPT="application/json")
    assert json.json()["error"]["code"] == "student_not_found"


def test_own_student_detail(parent_client, student):
    assert parent_client.get(f"/portal/students/{student.pk}/").status_code == 200


def test_portal_is_for_customers(admin_client, anon_client):
    assert admin_client.get("/portal/").status_code == 403
    assert anon_client.get("/portal/").status_code == 302


def test_a_student_with_two_customers_is_seen_by_both(
    parent_client, other_parent_client, student, other_parent
):
    student.customers.add(other_parent)
    assert other_parent_client.get(f"/portal/students/{student.pk}/").status_code == 200
