"""Scheduled functions: each receives "now" and does one bounded sweep."""
