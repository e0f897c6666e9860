"""Reading a log source in chunks of lines: a path (plain, .gz, .bz2 or .xz) or stdin ("-").

Compressed input is decompressed incrementally, so a truncated or corrupt file still gives
every line before the damage, and `damage` says what went wrong. A last line without its
newline is held back while the file may still be written to (see `LogReader.chunks`).
"""

import bz2
import contextlib
import hashlib
import lzma
import os
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

BLOCK_BYTES = 1 << 20
# Lines per chunk: what a chunk holds while it is parsed and staged (its lines, page views and
# rows) is most of an import's memory that is not fixed. 50,000 held ~40 MB and left the
# allocator more freed memory to keep on big files; 10,000 costs no measurable CPU.
CHUNK_LINES = 10_000
# Compressed input is fed in small pieces: a corrupt piece loses at most its own output.
PIECE_BYTES = 1 << 15
# The first line's first bytes name the file: rotated, grown and compressed copies keep them.
IDENTITY_BYTES = 4096
COMPRESSIONS = {
    b"\x1f\x8b": ("gzip", lambda: zlib.decompressobj(wbits=31)),
    b"BZh": ("bzip2", bz2.BZ2Decompressor),
    b"\xfd7zXZ\x00": ("xz", lambda: lzma.LZMADecompressor(format=lzma.FORMAT_XZ)),
}
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Names of files a log rotation has moved aside (access.log.1, access.log-20260301): complete.
ROTATED_NAME = re.compile(r"\.\d+$|-\d{8,10}$")
DECOMPRESS_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError)


class UnreadableLog(Exception):
    """The source cannot be read at all (missing, a directory, an unsupported compression)."""


class LogReader:
    """Yields (offset, lines): raw lines (bytes, no newline) and where the first one starts.

    Offsets count bytes of the decompressed text, so a line keeps its position in a grown,
    rotated or compressed copy of its file. `identity` names the file by its first line.
    `bytes_read` and `bytes_total` (None for stdin) follow the raw input, so a progress bar
    can show how far a compressed file is. After reading, `damage` describes a truncated or
    corrupt stream ("" when whole) and `held_back` is 1 if an incomplete last line waits.
    """

    def __init__(self, source, *, chunk_lines: int = CHUNK_LINES):
        self.source = source
        self.chunk_lines = chunk_lines
        self.content_hash = hashlib.blake2b(digest_size=32)
        self.identity = b""
        self.bytes_read = 0
        self.bytes_total = None
        self.compression = ""
        self.damage = ""
        self.held_back = 0
        self._stack = contextlib.ExitStack()
        self._raw = None
        self._decompressor = None
        self._fault = None

    def __enter__(self):
        if self.source == "-":
            raw = sys.stdin.buffer
            magic = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
        else:
            try:
                raw = self._stack.enter_context(Path(self.source).open("rb"))
                self.bytes_total = os.fstat(raw.fileno()).st_size
                magic = raw.read(6)
                raw.seek(0)
            except OSError as exc:
                raise UnreadableLog(f"cannot read {self.source}: {exc.strerror or exc}") from exc
        self._raw = raw
        if magic.startswith(ZSTD_MAGIC):
            self._stack.close()
            raise UnreadableLog(
                "zstd-compressed logs are not read (no zstd package is installed): "
                "decompress with `zstd -d` and import the result"
            )
        for prefix, (name, make) in COMPRESSIONS.items():
            if magic.startswith(prefix):
                self.compression, self._decompressor = name, make
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)

    @property
    def complete(self) -> bool:
        """Whether nothing will be appended: stdin, a compressed file or a rotated one."""
        return (
            self.source == "-"
            or bool(self.compression)
            or bool(ROTATED_NAME.search(Path(self.source).name))
        )

    def chunks(self) -> Iterator[tuple[int, list[bytes]]]:
        """(offset, lines) of about `chunk_lines` lines each.

        A last line without a newline is held back (not yielded) unless the file is complete;
        a line cut by damage is never yielded (nor held back: `damage` says what happened).
        """
        pending: list[bytes] = []
        tail = b""
        start = decoded = 0
        for block in self._blocks():
            self.content_hash.update(block)
            decoded += len(block)
            lines = (tail + block).split(b"\n")
            if not self.identity:
                self.identity = hashlib.blake2b(lines[0][:IDENTITY_BYTES], digest_size=16).digest()
            tail = lines.pop()
            pending.extend(lines)
            if len(pending) >= self.chunk_lines:
                yield start, pending
                start, pending = decoded - len(tail), []
        if tail and not self.damage:
            if self.complete:
                pending.append(tail)
            else:
                self.held_back = 1
        if pending:
            yield start, pending

    def _blocks(self) -> Iterator[bytes]:
        """The decompressed bytes in blocks; damage ends them and is described on `damage`.

        Deflate and bzip2 find corruption only at a checksum, after yielding the damaged
        data, so a compressed file is first read through once without yielding: its lines
        are then yielded only up to the cut of a truncated member, or up to the start of a
        corrupt one (the damage inside cannot be located). Stdin cannot be read twice: a
        corrupt stream there yields up to where the damage was found.
        """
        read = self._raw.read
        if not self._decompressor:
            while block := read(BLOCK_BYTES):
                self.bytes_read += len(block)
                yield block
            return
        safe = None
        if self.source != "-":
            fault = self._scan()
            self._raw.seek(0)
            self.bytes_read = 0
            if fault:
                kind, safe, where, reason = fault
        produced = 0
        for out in self._decompressed(read):
            if safe is not None and produced + len(out) >= safe:
                if safe > produced:
                    yield out[: safe - produced]
                break
            produced += len(out)
            yield out
        if safe is not None:
            self.damage = self._describe(kind, where, reason)
        elif self._fault:
            kind, _start, where, reason = self._fault
            self.damage = self._describe(kind, where, reason)

    def _scan(self):
        """Decompress once without keeping anything; the fault found, as `_fault` is."""
        for _out in self._decompressed(self._raw.read):
            pass
        return self._fault

    def _describe(self, kind: str, where: int, reason: str) -> str:
        if kind == "truncated":
            return (
                f"the {self.compression} data ends early (truncated at byte {where:,}): "
                "the lines before the cut were imported"
            )
        return (
            f"corrupt {self.compression} data found at byte {where:,} ({reason}): the damage "
            "cannot be located inside its compressed member, so only the lines before that "
            "member were imported"
        )

    def _decompressed(self, read) -> Iterator[bytes]:
        """Decompressed output, member after member; a fault ends it and is left on `_fault`.

        `_fault` is None, or (kind, decompressed offset where the faulty member starts,
        compressed byte where it was found, reason).
        """
        self._fault = None
        decompressor, fed = self._decompressor(), False
        produced = member_start = 0
        while piece := read(PIECE_BYTES):
            self.bytes_read += len(piece)
            while piece:
                if decompressor.eof:
                    if not piece.strip(b"\x00"):
                        break  # zero padding after the last member, as tar and dd leave
                    decompressor, fed, member_start = self._decompressor(), False, produced
                try:
                    out = decompressor.decompress(piece)
                except DECOMPRESS_ERRORS as exc:
                    self._fault = ("corrupt", member_start, self.bytes_read, str(exc))
                    return
                fed = True
                if out:
                    produced += len(out)
                    yield out
                piece = decompressor.unused_data if decompressor.eof else b""
        if fed and not decompressor.eof:
            self._fault = ("truncated", produced, self.bytes_read, "")
