"""The script adapter through the whole conformance suite, on every store."""

from __future__ import annotations

from trackmw_conformance import ConformanceTests
from trackmw_conformance.script_harness import ScriptHarness


class TestScriptConformance(ConformanceTests):
    harness = ScriptHarness()
