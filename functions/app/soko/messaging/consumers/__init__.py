"""Event consumers of messaging."""
