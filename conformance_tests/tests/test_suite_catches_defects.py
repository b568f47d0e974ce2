"""The suite is only worth something if it fails broken adapters: break minijob on purpose.

Each defect is injected as a plugin (the way a buggy adapter would behave) and the named
scenarios must fail while an unrelated one keeps passing.
"""

from __future__ import annotations

import pytest

BROKEN = '''
import trackmw
from minijob_trackmw.harness import MiniJobHarness
from trackmw.plugins import unregister


class EndsFinishedOnError:
    """Like flyteplugins-mlflow 2.12: the run ends FINISHED whatever happened."""

    @trackmw.hookimpl
    def trackmw_run_ended(self, run, status, error, task):
        from mlflow import MlflowClient

        MlflowClient(run._tracking_uri).set_terminated(run.run_id, "FINISHED")


class IgnoresNested:
    """Starts an independent run where a nested one was asked for."""

    @trackmw.hookimpl(tryfirst=True)
    def trackmw_choose_run_mode(self, task, config, parent):
        if config.run_mode == "nested":
            return trackmw.RunPlan("new")


def with_plugin(plugin):
    class Broken(MiniJobHarness):
        def run(self, root, **kw):
            name = trackmw.register(plugin)
            try:
                super().run(root, **kw)
            finally:
                unregister(name=name)
    return Broken


FinishedOnError = with_plugin(EndsFinishedOnError())
NoNesting = with_plugin(IgnoresNested())
'''


@pytest.mark.parametrize(
    ("harness", "broken", "intact"),
    [
        ("FinishedOnError", ["test_body_raises_run_failed_error_reraised",
                             "test_interrupt_run_killed"], "test_one_task_one_finished_run"),
        ("NoNesting", ["test_nested_child_tagged_with_parent",
                       "test_many_nested_siblings_under_one_parent"],
         "test_auto_child_reuses_parent_run"),
    ],
)
def test_suite_fails_a_broken_adapter(
    pytester: pytest.Pytester, harness: str, broken: list[str], intact: str
) -> None:
    pytester.makepyfile(broken=BROKEN)
    selected = " or ".join([*broken, intact])
    result = pytester.runpytest_subprocess(
        f"--trackmw-harness=broken:{harness}", "--trackmw-stores=sqlite", "-k", selected,
        "-p", "no:cacheprovider",
    )
    result.assert_outcomes(failed=len(broken), passed=1)
    for name in broken:
        result.stdout.fnmatch_lines([f"FAILED *{name}*"])
    result.stdout.fnmatch_lines(["*trackmw conformance matrix*", f"*pass*{intact}*"])
