"""Privacy: the personal-data inventory (later: consents, requests, export, erasure)."""
