"""One module per HTTP endpoint of the posts service."""
