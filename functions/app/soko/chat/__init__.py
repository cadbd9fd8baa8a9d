"""Chat between buyers and farmers: conversations, messages (masked until a trade is confirmed),
rate limits, live delivery over the WebSocket API and the ``buyer_inquiry`` interaction event."""
