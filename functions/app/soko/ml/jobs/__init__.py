"""The price layer's scheduled functions."""
