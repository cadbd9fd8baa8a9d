"""Matching: the feature store, interaction boosts, recommendations, market routing and coverage."""
