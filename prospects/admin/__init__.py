"""Django admin, one module per subject."""

from . import companies, identify, visits

__all__ = ["companies", "identify", "visits"]
