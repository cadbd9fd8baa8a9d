"""Marketplace HTTP endpoints: one module (and one Lambda function) per route."""
