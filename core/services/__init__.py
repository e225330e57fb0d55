"""Use-cases. The only code that writes to the database; the web API and the CLI call these."""
