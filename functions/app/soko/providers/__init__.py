"""Adapters for outside providers (Africa's Talking, PesaPal, MTN MoMo), each with a local sandbox
twin in the local runtime that speaks the same HTTP contract."""
