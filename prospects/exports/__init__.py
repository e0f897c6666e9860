"""CSV exports of the queue, companies, contacts, touchpoints and scores."""
