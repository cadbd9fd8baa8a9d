"""Payments consumers of other domains' events."""
