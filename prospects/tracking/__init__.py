"""The first-party tracker: beacons from the vendor's pages, queued, then written as hits.

A beacon is validated and queued in the request (`services.accept_beacon`); a task writes
the queue in batches through `ingest_hits` (`services.write_queued_hits`), so a tracked page
view means what a logged one means.
"""
