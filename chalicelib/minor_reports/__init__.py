"""Reports of a minor using the service (P12): anyone reports, support decides."""
