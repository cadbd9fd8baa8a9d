"""The outbox relay: table streams -> EventBridge."""
