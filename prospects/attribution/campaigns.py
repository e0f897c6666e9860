"""A tagged session's name in the source / campaign dimension, as analytics tools write it.

Google Analytics and Matomo show tagged traffic as "source / medium / campaign"
("newsletter / email / spring-launch"), so the attribution tables do too. Tags are trimmed and
lowercased (Matomo's default: "Email" and "email" are one medium, not two rows of one
campaign); a missing source or medium reads "(not set)", Google Analytics' words, and a
session without a campaign is its "source / medium" alone.
"""

NOT_SET = "(not set)"


def campaign_label(source: str, medium: str, campaign: str) -> str:
    """The label of a session's UTM tags; "" when it has none (its source type stands)."""
    source, medium, campaign = ((part or "").strip().lower() for part in (source, medium, campaign))
    if not (source or medium or campaign):
        return ""
    label = f"{source or NOT_SET} / {medium or NOT_SET}"
    return f"{label} / {campaign}" if campaign else label
