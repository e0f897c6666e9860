"""Admin for identify."""
