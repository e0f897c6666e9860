"""Streaming CSV: a chunk of rows in memory at a time, cells a spreadsheet cannot run as formulas."""

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from django.http import StreamingHttpResponse

# A cell a spreadsheet would read as a formula (or that hides one after a tab or CR).
_FORMULA_STARTS = frozenset("=+-@\t\r")
# Rows written per piece of the stream: big enough to be cheap, small enough to stay flat.
ROWS_PER_PIECE = 500


def safe_cell(value) -> str:
    """The value as CSV text; text starting like a formula gets a leading apostrophe (OWASP).

    Numbers are written as they are: -0.5 is a number, not a formula, in every spreadsheet.
    """
    if value is None:
        return ""
    if type(value) is str:  # the common case first: this runs for every cell
        return "'" + value if value[:1] in _FORMULA_STARTS else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return safe_cell(str(value))


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header, then the rows as CSV text in pieces of ROWS_PER_PIECE lines, every cell
    through safe_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    rows = iter(rows)
    while piece := list(islice(rows, ROWS_PER_PIECE)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([safe_cell(value) for value in row] for row in piece)
        yield buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    """A streamed CSV download: memory stays flat however many rows there are."""
    response = StreamingHttpResponse(
        (text.encode() for text in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
