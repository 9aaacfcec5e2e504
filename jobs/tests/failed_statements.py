"""Statements that fail inside a block: on PostgreSQL each is an ERROR line in the server's log."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def failed_statements() -> Iterator[list[str]]:
    """The SQL of every statement that fails on the default connection inside the block."""
    failed: list[str] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        try:
            return execute(sql, params, many, context)
        except Exception:
            failed.append(sql)
            raise

    with connection.execute_wrapper(record):
        yield failed
