"""Use-cases over a tracker database, returning plain frozen dataclasses (never ORM rows)."""
