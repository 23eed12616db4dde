"""Dev-only demo and benchmark data: the generator, its tables (YAML) and the loader behind `make seed`.\nNot part of the production wheel."""
