"""A database that threads of one test share, on SQLite as on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection, connections


@pytest.fixture
def concurrent_db(transactional_db, tmp_path):
    """The database the concurrent runs share; on SQLite a migrated file database.

    pytest-django's SQLite test database is in memory with a shared cache, which locks whole
    tables and ignores the busy timeout; the app itself runs on a WAL file database, which
    is what this swaps in (PostgreSQL needs nothing: threads share the test database).
    """
    if connection.vendor != "sqlite":
        yield
        return
    previous = connections["default"]
    shared_settings = connections.settings["default"]
    original_name = shared_settings["NAME"]
    path = str(tmp_path / "concurrent.sqlite3")
    shared_settings["NAME"] = path  # connections opened by other threads
    connections["default"] = previous.__class__({**previous.settings_dict, "NAME": path}, "default")
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connections["default"].close()
        shared_settings["NAME"] = original_name
        connections["default"] = previous
