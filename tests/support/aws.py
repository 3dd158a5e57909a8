"""Pytest fixtures: aws (filled in by its owner)."""
