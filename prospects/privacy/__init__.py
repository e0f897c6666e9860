"""Privacy and retention: erasing a person, purging old raw data, and who looked at what."""
