"""Entry points of the deployed system: the `techmarket` command line, the outbox worker and the
search-index consistency checks."""
