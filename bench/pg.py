"""A fresh PostgreSQL database for a benchmark run, so that every run starts alike (and a new
machine needs no set-up beyond the running server)."""


def reset_database(url: str) -> None:
    """Drop and create the database named by `url` (postgres://user@host:port/name)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
