"""Messaging: SMS order alerts for people without the app, and the SMS delivery reports."""
