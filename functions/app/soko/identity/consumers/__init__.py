"""Identity's event consumers."""
