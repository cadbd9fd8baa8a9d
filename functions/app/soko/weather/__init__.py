"""District weather: a 7-day forecast through a provider adapter, cached, and heavy-rain advice."""
