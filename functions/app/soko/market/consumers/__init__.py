"""Marketplace consumers of other domains' events."""
