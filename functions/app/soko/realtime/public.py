"""What other domains use of realtime (the only realtime module they import): pushing to a user's
open WebSocket connections, the connection store that does it, the settings every pushing
function has, and the caller and connection of a WebSocket route."""

from __future__ import annotations

from soko.realtime.models import RealtimeConfig, connection_id, ws_caller
from soko.realtime.push import Connections, push

__all__ = ["Connections", "RealtimeConfig", "connection_id", "connections", "push", "ws_caller"]


def connections(config: RealtimeConfig) -> Connections:
    """The open connections of the WebSocket API ``config`` names."""
    from soko.realtime.dal import ConnectionsDal  # noqa: PLC0415  (boto3: on the paths that push)

    return ConnectionsDal(config.connections_table_name, config.management_url)
