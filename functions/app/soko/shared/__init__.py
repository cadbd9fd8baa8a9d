"""Code shared by every Soko function: config, observability, errors, HTTP, events, data access."""
