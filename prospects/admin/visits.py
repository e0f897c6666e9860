"""Admin for visits."""
