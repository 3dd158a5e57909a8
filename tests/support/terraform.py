"""Pytest fixtures: terraform (filled in by its owner)."""
