"""Shared fixtures. Module-specific fixtures live in the test module that needs them."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def sample_region():
    """The shipped Zeeuws-Vlaanderen sample region (read once per test session)."""
    import energieplanologie as ep

    return ep.load_sample()
