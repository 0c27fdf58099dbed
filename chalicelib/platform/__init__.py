"""Service-level routes: health and the OpenAPI document."""
