"""The marketplace: listings, orders, reviews and the order events the ML layer learns from."""
