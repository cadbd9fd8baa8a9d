"""WebSocket entry points of realtime ($connect's authorizer, $connect, $disconnect)."""
