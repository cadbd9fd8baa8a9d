"""Admin operations: the append-only admin audit log and the queues' dead letters."""
