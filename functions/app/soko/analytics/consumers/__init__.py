"""The analytics domain's queue consumers."""
