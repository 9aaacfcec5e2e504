from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_is_503_when_the_database_does_not(client):
    # The database going away is outside our code; make its cursor fail the way a lost server does.
    with mock.patch("academy.health.connection.cursor", side_effect=OperationalError("server closed")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}
