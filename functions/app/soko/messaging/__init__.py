"""Messaging: the SMS delivery reports (passed on to the notifications pipeline, which sends SMS)."""
