"""The ML layer: price observations, forecasts (served from precomputed values), matching."""
