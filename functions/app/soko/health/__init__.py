"""GET /health: the service's own dependencies, version and stage."""
