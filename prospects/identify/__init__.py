"""Identify the companies behind visitor IPs: reverse DNS, offline data, classification.

The one way in is `prospects.identify.services.resolve_pending_ips`; the Celery task
`prospects.tasks.resolve_ips` and the `resolve_ips` command both call it.
"""
