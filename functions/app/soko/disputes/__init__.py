"""Disputes: a buyer's dispute of a delivered order, as a case admins resolve."""
