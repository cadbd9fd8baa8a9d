"""The analytics domain's HTTP handlers, one module per endpoint."""
