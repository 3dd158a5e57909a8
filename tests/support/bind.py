"""Pytest fixtures: bind (filled in by its owner)."""
