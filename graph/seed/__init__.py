"""Seed data: the real reserves, organisations and themes (``real``) and a synthetic demo
generator on top of them (``demo``), both as import rows (JSON Lines objects)."""
