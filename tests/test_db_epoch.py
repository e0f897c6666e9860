"""leadgen.db.epoch: SQLite's unixepoch() gives what strftime('%s') gave, to the second."""

import datetime as dt

import pytest
from django.db import connection

from leadgen.db import epoch, is_postgresql

pytestmark = pytest.mark.django_db

MOMENTS = [
    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 1, 59, 59, 999400, tzinfo=dt.UTC),
    # SQLite reads fractions to the millisecond: .9999995 s is the next second for both forms.
    dt.datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=dt.UTC),
]


def _one(sql: str, stored) -> float:
    with connection.cursor() as cursor:
        cursor.execute(sql, [stored])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("moment", MOMENTS)
def test_epoch_is_the_same_number_as_before(moment):
    stored = connection.ops.adapt_datetimefield_value(moment)
    whole = _one(f"SELECT {epoch('%s', integer=True)}", stored)
    real = _one(f"SELECT {epoch('%s')}", stored)
    if is_postgresql():
        assert real == pytest.approx(moment.timestamp())
        assert whole == round(moment.timestamp())
    else:
        assert whole == _one("SELECT CAST(strftime('%%s', %s) AS INTEGER)", stored)
        assert real == _one("SELECT CAST(strftime('%%s', %s) AS REAL)", stored)
        assert abs(whole - moment.timestamp()) < 1
