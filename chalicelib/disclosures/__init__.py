"""Lawful disclosures without consent (P8): a support-only action, hash-chained."""
