"""The suite for ``pytest --trackmw-adapter=NAME`` / ``--trackmw-harness=MODULE:CLASS``."""

from __future__ import annotations

import pytest

from trackmw_conformance.suite import ConformanceTests


@pytest.fixture(scope="session", autouse=True)
def _harness(request: pytest.FixtureRequest) -> None:
    from trackmw_conformance.plugin import load_harness

    TestConformance.harness = load_harness(request.config)


class TestConformance(ConformanceTests):
    """Every scenario, for the harness named on the command line."""
