"""Identity: accounts, tokens and the HTTP API's Lambda authorizer."""
