"""Web-log ingestion: access-log lines into visitors, page views and sessions.

The one way in is `prospects.visits.ingest.importer.ingest_file`.
"""
