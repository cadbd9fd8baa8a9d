"""Price alerts: subscriptions to a crop in a market, fired from new observations and forecasts."""
