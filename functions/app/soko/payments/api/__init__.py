"""One module per payments endpoint."""
