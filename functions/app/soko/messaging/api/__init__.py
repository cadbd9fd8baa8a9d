"""HTTP entry points of messaging."""
