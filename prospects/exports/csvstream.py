"""Streaming CSV: one row in memory at a time, cells a spreadsheet cannot run as formulas."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

# A cell a spreadsheet would read as a formula (or that hides one after a tab or CR).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as CSV text; text starting like a formula gets a leading apostrophe (OWASP).

    Numbers are written as they are: -0.5 is a number, not a formula, in every spreadsheet.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like object that hands back what csv.writer writes instead of keeping it."""

    def write(self, text):
        return text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and each row as one CSV line, every cell through safe_cell."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    """A streamed CSV download: memory stays flat however many rows there are."""
    response = StreamingHttpResponse(
        (line.encode() for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
