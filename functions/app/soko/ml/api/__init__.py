"""Price-layer HTTP endpoints (one module and one function per route)."""
