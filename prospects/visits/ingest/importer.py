"""The one way in for hits: `ingest_file` streams a log, `ingest_hits` takes typed hits (a
tracker's), both into visitors, page views and sessions with the same rules.

Per chunk of lines: parse and classify in Python (`classify`, with per-distinct-value caches;
on PostgreSQL in a background thread, a few chunks ahead of the writes, `chunks`), resolve
visitor and page ids for the keys not seen yet and bulk-load the page views into a temp stage
(`writer`). After the last chunk, in one transaction and in SQL: drop the duplicates (line
hashes already stored), cut the sessions of the touched visitors, write the new page views
with their sessions, and update conversions (`sessions`).

Each file is its own unit: a missing or unreadable file is recorded as failed, a damaged one
keeps every line before the damage (partial), and a step that fails part way still merges
what was staged before it, so visitors created by earlier chunks keep their page views.
"""

import contextlib
import time
from collections.abc import Callable, Iterable

from django.db import transaction

from leadgen.db import is_postgresql
from prospects.models import LogImport, PageView, Session, Visitor
from prospects.visits import labels

from . import assets, behaviour, bots, formats, parser, reading, referrers, runs, store
from .chunks import parsed_chunks
from .classify import LineClassifier
from .formats import fields as format_fields
from .hits import HitClassifier, HitReader
from .parser import Hit
from .reader import LogReader, UnreadableLog
from .runs import ImportResult
from .sessions import merge_stage, take_merge_turn
from .spill import SpilledStats
from .writer import ViewWriter

HELD_BACK_NOTICE = (
    "The last line has no newline yet (the file is still being written): it was held back "
    "and is imported once the file grows or is rotated."
)


def ingest_file(
    source,
    *,
    name: str | None = None,
    progress: Callable[[ImportResult], None] | None = None,
    log_format: str | None = None,
) -> ImportResult:
    """Import one access log (a path, a .gz/.bz2/.xz path, or "-" for stdin); record a LogImport.

    Lines are streamed in chunks, so memory stays flat; a bad line is counted, never fatal.
    A missing, unreadable or damaged file does not raise: the result's `status` (failed,
    partial) and `error` say what happened. `progress`, if given, is called with the running
    result after every chunk. `log_format` is a format name or pattern
    (`formats.get_format`); without it the format is detected.
    """
    chosen = formats.get_format(log_format) if log_format else None
    name = name or ("<stdin>" if str(source) == "-" else str(source))
    legacy = legacy_keys_needed()
    return _ingest(
        LogReader(source),
        lambda result: LineClassifier(result, chosen, legacy_keys=legacy),
        name,
        progress,
        legacy_keys=legacy,
    )


def ingest_hits(
    hits: Iterable[Hit],
    *,
    name: str = "<hits>",
    progress: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Store typed hits (a tracker's, an API's) exactly as a log file's lines; record a LogImport.

    Bots, assets, non-reading requests, rules, goals, sessions and duplicates mean what they
    mean for a log. A hit whose time is not real UTC text from 1990 to tomorrow is malformed.
    Hits with a key already stored are duplicates; a hit without a key gets one from its
    fields.
    """
    return _ingest(HitReader(hits), HitClassifier, name, progress)


def legacy_keys_needed() -> bool:
    """Whether page views hashed the legacy way may be stored (imports from before the upgrade)."""
    return LogImport.objects.filter(line_keys=LogImport.LEGACY_LINE_KEYS, pageviews__gt=0).exists()


def _ingest(reader, make_classifier, name: str, progress, *, legacy_keys=False) -> ImportResult:
    """Classify, stage and merge what `reader` yields; the LogImport records the outcome."""
    started = time.perf_counter()
    log_import = runs.start(name)
    result = ImportResult(name=name, import_id=log_import.id)
    referrers.reset_cache()
    classifier = make_classifier(ImportResult(malformed_samples=result.malformed_samples))
    writer = ViewWriter(result)
    spilled = SpilledStats()
    failure = None
    try:
        store.start_stage()
        try:
            _stage(reader, classifier, writer, spilled, result, started, progress, log_import)
        except (UnreadableLog, OSError) as exc:
            result.error = str(exc)
        except Exception as exc:  # a failed step: what was staged before it is still merged
            failure = exc
            result.error = f"stopped after {result.lines:,} lines: {exc!r}"
        result.error = result.error or reader.damage
        result.log_format = classifier.result.log_format
        result.notices = classifier.result.notices
        if reader.held_back:
            result.notices.append(HELD_BACK_NOTICE)
        runs.beat(log_import)
        with transaction.atomic():
            take_merge_turn()
            # Visitors a behaviour rule marks: their staged views are bots, not page views.
            behaviour_bots = behaviour.mark_bots(classifier.rules.bots(spilled), store.STAGE)
            result.bots += behaviour_bots
            result.pageviews = merge_stage(legacy_keys=legacy_keys)
            result.duplicates = writer.staged - behaviour_bots - result.pageviews
            labels.recompute_conversions(writer.goal_visitors)
    except Exception as exc:
        result.status, result.error = LogImport.Status.FAILED, result.error or repr(exc)
        runs.finish(log_import, result, started)
        raise
    finally:
        spilled.drop()
        store.drop_stage()
    if not result.error:
        result.status = LogImport.Status.DONE
    else:
        result.status = LogImport.Status.PARTIAL if result.lines else LogImport.Status.FAILED
    log_import.content_hash = reader.content_hash.hexdigest()
    runs.finish(log_import, result, started)
    if failure is not None:
        raise failure
    return result


def _stage(reader, classifier, writer, spilled, result, started, progress, log_import) -> None:
    """Read, classify and stage every chunk; the running counts go on `result`.

    Behaviour statistics the classifier let go of are stored here, in the database's thread.
    """
    with reader:
        result.bytes_total = reader.bytes_total
        # Closed explicitly, so a failed write stops the parser thread at once.
        chunks = contextlib.closing(parsed_chunks(reader, classifier, background=is_postgresql()))
        with chunks as parsed:
            for views, counts in parsed:
                writer.write(views)
                spilled.add(classifier.rules.take_spilled())
                # The parser runs ahead: the result shows what has been written so far.
                for key, value in counts.items():
                    setattr(result, key, value)
                result.seconds = time.perf_counter() - started
                runs.beat(log_import)
                if progress is not None:
                    progress(result)


def database_totals() -> dict:
    """What the database holds: visitors, sessions, page views and converted visitors."""
    return {
        "visitors_total": Visitor.objects.count(),
        "sessions_total": Session.objects.count(),
        "pageviews_total": PageView.objects.count(),
        "conversions_total": Visitor.objects.filter(converted_at__isnull=False).count(),
    }


def clear_caches() -> None:
    """Forget every per-distinct-value cache (IPs, hours, agents, paths, referrers)."""
    for module in (parser, assets, bots, referrers, reading, format_fields):
        module.reset_cache()
