"""Identity's HTTP endpoints: one module (and one Lambda function) per route."""
