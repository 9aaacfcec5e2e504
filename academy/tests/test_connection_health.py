"""A persistent database connection the server dropped is replaced before a request uses it.

Found by bench/soak.py: with DB_CONN_MAX_AGE > 0, pg_terminate_backend (as a failover or a
restart does) made the next request of every web process fail with a 500.
"""

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's"),
]


def test_a_request_after_the_server_dropped_a_persistent_connection_is_served(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # as DB_CONN_MAX_AGE=60
    connection.close()
    connection.ensure_connection()  # persistent now: kept for 60 s
    backend = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])
    close_old_connections()  # what Django does as each request starts (the test client does not)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection.info.backend_pid != backend
