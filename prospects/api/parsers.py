"""Request body parsing for the API: JSON with a cap on size and nesting depth."""

import io
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No input of this API nests deeper than 3; 32 leaves room and stays far below the recursion
# limit that a body of 100,000 open brackets would otherwise hit inside json.loads.
MAX_DEPTH = 32
# The largest legitimate body is a 10,000-character note (up to 4 bytes a character in UTF-8).
MAX_BYTES = 64 * 1024
# Strings (escapes included) and brackets: depth only counts brackets outside strings.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(body: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit` (one linear scan)."""
    depth = 0
    for token in _TOKENS.finditer(body):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif first in (b"]", b"}"):
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies over MAX_BYTES or nested over MAX_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = min(MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_BYTES)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(f"The request body is larger than {limit // 1024} KB.")
        if too_deep(body, MAX_DEPTH):
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels is refused.")
        return super().parse(io.BytesIO(body), media_type, parser_context)
