"""Admin for companies."""
