"""The only package that speaks to a database: store interface, backends, Cypher, seed data."""
