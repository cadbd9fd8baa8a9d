"""HTTP and WebSocket entry points of chat."""
