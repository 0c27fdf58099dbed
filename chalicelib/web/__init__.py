"""HTTP edge: problem+json errors, validation, access control, routing, OpenAPI."""
