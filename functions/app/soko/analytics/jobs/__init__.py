"""The analytics domain's scheduled functions."""
