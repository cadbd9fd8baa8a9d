"""The admin domain's consumers."""
