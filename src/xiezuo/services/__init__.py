"""Use cases: what the CLI (and later the API) asks xiezuo to do."""
