"""Event consumers of notifications."""
