"""Each user's access log: who (by role) touched their data, hash-chained per user."""
