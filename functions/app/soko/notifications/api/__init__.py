"""HTTP entry points of notifications."""
