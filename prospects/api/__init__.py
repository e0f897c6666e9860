"""The REST API (DRF): the queue, companies, visitors and page views, and the CRM writes."""
