"""Input and output models of the API (non-table models, so they validate)."""
