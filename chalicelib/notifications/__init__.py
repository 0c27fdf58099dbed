"""Notification channels: e-mail through SES, SMS through SNS."""
