"""Scheduled payments jobs (settlement, reconciliation)."""
