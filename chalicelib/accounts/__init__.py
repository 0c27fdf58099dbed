"""Accounts: users, passwords, access tokens and sign-in."""
