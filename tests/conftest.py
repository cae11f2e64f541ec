"""Shared fixtures. Module-specific fixtures live in the test module that needs them."""

from __future__ import annotations

import os
import secrets

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def sample_region():
    """The shipped Zeeuws-Vlaanderen sample region (read once per test session)."""
    import energieplanologie as ep

    return ep.load_sample()


@pytest.fixture(scope="session")
def server():
    """The throwaway PostgreSQL + PostGIS server of ``tests/postgis_server.py`` (started once, on first use)."""
    import postgis_server

    return postgis_server.require()


@pytest.fixture
def db(server) -> str:
    """A fresh database with PostGIS; its URL carries the superuser's password (as a careless config would)."""
    name = f"t_{secrets.token_hex(5)}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


# With CI=true nothing may pass by being skipped (no Chromium, no PostGIS, a missing extra): a skip is a failure.
REQUIRE_ALL = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"overgeslagen, maar CI=true staat geen overgeslagen tests toe: {reason}"
