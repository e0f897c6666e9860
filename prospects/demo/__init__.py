"""Demo data: a realistic vendor web log, its DNS zone, and the truth behind both."""
