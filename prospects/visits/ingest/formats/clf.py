"""Apache/nginx common and combined lines, through the fast parser in `ingest.parser`."""

from ..parser import parse_fields


class CombinedParser:
    """Combined lines (common ones too, with no referrer or agent); common reads only common."""

    has_host = False

    def __init__(self, *, user_agents: bool):
        self.has_user_agent = user_agents
        # What the importer calls per line when it can: the parser itself, without this wrapper.
        if user_agents:
            self.fast = parse_fields

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, or None."""
        if not self.has_user_agent and line.rstrip().endswith('"'):
            # A combined line: its user agent would be dropped unseen.
            return None
        return parse_fields(line)

    def weight(self, line: str) -> float:
        """How much a line read counts in detection: a common line counts less for combined."""
        return 1.0 if not self.has_user_agent or line.rstrip().endswith('"') else 0.99
