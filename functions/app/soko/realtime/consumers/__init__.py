"""Realtime's event consumers."""
