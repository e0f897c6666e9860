"""A throwaway database of the kind DATABASE_URL names, for benchmarks that fill one.

Benchmarks run as scripts (`python bench/x.py`): each first puts the project root in place of
its own folder on sys.path (bench/queue.py would otherwise shadow the standard `queue` module)
and then imports this module as `bench.scratch`.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def scratch_database(url: str, prefix: str):
    """Create an empty database like `url`'s; return (its url, a function that drops it).

    SQLite: a temporary file. PostgreSQL: a new database on the same server, so the one the
    url names is never touched.
    """
    if not url.startswith(("postgres://", "postgresql://")):
        handle, name = tempfile.mkstemp(prefix=f"bench_{prefix}_", suffix=".sqlite3")
        os.close(handle)

        def drop_file():
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)

        return f"sqlite:///{name}", drop_file
    import psycopg2

    parts = urlsplit(url)
    scratch = f"leadgen_bench_{prefix}_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def run(sql):
        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
        conn.close()

    run(f'CREATE DATABASE "{scratch}"')
    return urlunsplit(parts._replace(path=f"/{scratch}")), lambda: run(
        f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'
    )


def migrated_scratch_django(prefix: str):
    """Point Django at a scratch database and migrate it; returns (vendor, cleanup callable)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
    os.environ.setdefault("DEBUG", "1")
    url, drop = scratch_database(os.environ.get("DATABASE_URL", "sqlite:///"), prefix)
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)

    def cleanup():
        connection.close()
        drop()

    return connection.vendor, cleanup
