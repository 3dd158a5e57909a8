"""Shared fixtures live in tests/support/, one module per real part (BIND, Terraform, AWS)."""

pytest_plugins = ["tests.support.bind", "tests.support.terraform", "tests.support.aws"]
