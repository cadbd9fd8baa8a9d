"""Notifications: order, payment and review events turned into per-user notifications, stored,
pushed live over the WebSocket API, read over REST (unread first)."""
