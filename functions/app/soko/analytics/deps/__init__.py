"""The analytics domain's wiring: one module per part (``metrics``, ``reports``, ``lake``)."""
