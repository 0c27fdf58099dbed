"""Storage: the PynamoDB base model, the table registry, schema export and bootstrap."""
