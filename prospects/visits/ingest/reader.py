"""Reading a log source in chunks of lines: a path, a gzipped path, or stdin ("-")."""

import contextlib
import gzip
import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"
BLOCK_BYTES = 1 << 20


class LogReader:
    """Yields lists of raw lines (bytes, without the newline), hashing the content as it goes.

    `bytes_read` and `bytes_total` (None for stdin) follow the raw input, so a progress bar can
    show how far a compressed file is.
    """

    def __init__(self, source, *, chunk_lines: int = 50_000):
        self.source = source
        self.chunk_lines = chunk_lines
        self.content_hash = hashlib.blake2b(digest_size=32)
        self.bytes_read = 0
        self.bytes_total = None
        self._stack = contextlib.ExitStack()
        self._raw = None
        self._stream = None

    def __enter__(self):
        if self.source == "-":
            raw = sys.stdin.buffer
            magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
        else:
            raw = self._stack.enter_context(Path(self.source).open("rb"))
            self.bytes_total = os.fstat(raw.fileno()).st_size
            magic = raw.read(2)
            raw.seek(0)
        self._raw = raw
        compressed = magic == GZIP_MAGIC
        self._stream = self._stack.enter_context(gzip.GzipFile(fileobj=raw)) if compressed else raw
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)

    def chunks(self) -> Iterator[list[bytes]]:
        """Lists of about `chunk_lines` lines; the last line may lack its newline."""
        pending: list[bytes] = []
        tail = b""
        read = self._stream.read
        while block := read(BLOCK_BYTES):
            self.content_hash.update(block)
            self._track_position(len(block))
            lines = (tail + block).split(b"\n")
            tail = lines.pop()
            pending.extend(lines)
            if len(pending) >= self.chunk_lines:
                yield pending
                pending = []
        if tail:
            pending.append(tail)
        if pending:
            yield pending

    def _track_position(self, block_len: int) -> None:
        if self._stream is self._raw:
            self.bytes_read += block_len
        else:
            with contextlib.suppress(OSError, ValueError):
                self.bytes_read = self._raw.tell()
