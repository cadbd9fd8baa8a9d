"""Realtime: the WebSocket API's connections and pushing JSON to them through the ``@connections``
management API (used by chat and notifications)."""
