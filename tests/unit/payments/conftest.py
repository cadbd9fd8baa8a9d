"""The payments unit suites share one world (see ``payments_world``)."""

from payments_world import world

__all__ = ["world"]
