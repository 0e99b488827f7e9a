"""Pytest plugins loaded from pytest.ini with ``-p tests.plugins.<name>``."""
