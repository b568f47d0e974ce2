"""The conformance scenarios. Subclass :class:`ConformanceTests` and set ``harness``.

Every scenario runs real executions through the harness, reads the results back from the
store with ``MlflowClient`` and checks them against the semantics in ARCHITECTURE.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from trackmw_conformance.harness import Capability, Harness, Step, TaskSpec
from trackmw_conformance.world import World

__all__ = ["ConformanceTests"]

S = Step


def T(name: str, *steps: Step, children: tuple[TaskSpec, ...] = (), **kw: Any) -> TaskSpec:
    concurrent = kw.pop("concurrent", False)
    is_async = kw.pop("is_async", False)
    return TaskSpec(name, kw, steps, children, concurrent, is_async)


def _text_of(error: BaseException) -> str:
    """The messages of ``error`` and everything it was raised from."""
    seen, parts, current = set(), [], error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " | ".join(parts)


class ConformanceTests:
    """The shared scenarios; an adapter's test module subclasses this with its harness."""

    harness: ClassVar[Harness]
    #: Limit this class to some stores (e.g. a slow extra tier on ``("sqlite",)``); None: all.
    stores: ClassVar[tuple[str, ...] | None] = None
    #: Names a second class of one adapter in the report (``kedro[parallel]``).
    tier: ClassVar[str | None] = None

    # -- helpers -----------------------------------------------------------------------
    def needs(self, capability: str) -> None:
        if capability not in self.harness.capabilities:
            pytest.skip(f"{self.harness.name} lacks capability {capability!r}")

    def run(self, root: TaskSpec, **kw: Any) -> None:
        self.harness.run(root, **kw)

    def fails(self, root: TaskSpec, expect: str, **kw: Any) -> BaseException:
        """Run ``root``, which must raise an error mentioning ``expect``."""
        with pytest.raises(BaseException) as caught:
            self.harness.run(root, **kw)
        assert expect in _text_of(caught.value), _text_of(caught.value)
        return caught.value

    # -- one task ------------------------------------------------------------------------
    def test_one_task_one_finished_run(self, world: World) -> None:
        self.run(T("solo", S("log_param", ("alpha", "1")), S("log_metric", ("loss", 0.5))))
        run = world.one_run(task="solo")
        assert len(world.runs()) == 1
        assert run.info.status == "FINISHED"
        assert run.info.experiment_id == world.experiment_id()
        assert run.info.run_name == "solo"
        assert run.data.params == {"alpha": "1"}
        assert run.data.metrics == {"loss": 0.5}
        assert run.data.tags["trackmw.adapter"] == self.harness.name
        assert world.seen("solo")["run_id"] == run.info.run_id

    def test_body_raises_run_failed_error_reraised(self, world: World) -> None:
        self.fails(T("broken", S("log_param", ("before", "yes")), S("raise", ("kaboom-1",))),
                   "kaboom-1")
        run = world.one_run(task="broken")
        assert run.info.status == "FAILED"
        assert run.data.params == {"before": "yes"}

    def test_interrupt_run_killed(self, world: World) -> None:
        self.needs(Capability.INTERRUPT)
        with pytest.raises(BaseException):  # noqa: B017 - KeyboardInterrupt or a wrapper
            self.run(T("interrupted", S("interrupt")))
        assert world.one_run(task="interrupted").info.status == "KILLED"

    def test_cancelled_run_killed(self, world: World) -> None:
        self.needs(Capability.CANCEL)
        with pytest.raises(BaseException):  # noqa: B017 - CancelledError or a wrapper
            self.run(T("cancelled", S("cancel"), is_async=True))
        assert world.one_run(task="cancelled").info.status == "KILLED"

    # -- run modes -----------------------------------------------------------------------
    def test_auto_child_reuses_parent_run(self, world: World) -> None:
        child = T("child", S("log_param", ("child_param", "c")))
        self.run(T("parent", S("log_param", ("parent_param", "p")), children=(child,)))
        runs = world.runs()
        assert len(runs) == 1, "an auto child must reuse its parent's run"
        assert runs[0].data.params == {"parent_param": "p", "child_param": "c"}
        assert runs[0].info.status == "FINISHED"
        assert world.seen("child")["run_id"] == world.seen("parent")["run_id"]

    def test_auto_without_parent_starts_new_run(self, world: World) -> None:
        self.run(T("first", S("log_param", ("n", "1"))))
        self.run(T("second", S("log_param", ("n", "2"))))
        runs = world.by_task()
        assert {t: r.data.params["n"] for t, r in runs.items()} == {"first": "1", "second": "2"}
        assert all("mlflow.parentRunId" not in r.data.tags for r in runs.values())

    def test_new_child_independent_parent_untouched(self, world: World) -> None:
        child = T("child", S("log_param", ("who", "child")), run_mode="new")
        self.run(T("parent", S("log_param", ("who", "parent")), children=(child,)))
        runs = world.by_task()
        parent, kid = runs["parent"], runs["child"]
        assert parent.info.run_id != kid.info.run_id
        assert "mlflow.parentRunId" not in kid.data.tags, "a new run has no parent tag"
        assert parent.data.params == {"who": "parent"} and kid.data.params == {"who": "child"}
        assert parent.info.status == kid.info.status == "FINISHED"
        assert parent.info.end_time >= kid.info.end_time, "the parent ended before its child"

    def test_nested_child_tagged_with_parent(self, world: World) -> None:
        child = T("child", S("log_param", ("who", "child")), run_mode="nested")
        self.run(T("parent", S("log_param", ("who", "parent")), children=(child,)))
        runs = world.by_task()
        assert runs["child"].data.tags["mlflow.parentRunId"] == runs["parent"].info.run_id
        assert runs["child"].data.params == {"who": "child"}
        assert runs["parent"].data.params == {"who": "parent"}

    def test_many_nested_siblings_under_one_parent(self, world: World) -> None:
        kids = tuple(T(f"kid{i}", S("log_param", ("i", str(i))), run_mode="nested")
                     for i in range(4))
        self.run(T("parent", children=kids))
        runs = world.by_task()
        parent_id = runs["parent"].info.run_id
        for i in range(4):
            kid = runs[f"kid{i}"]
            assert kid.data.tags["mlflow.parentRunId"] == parent_id
            assert kid.data.params == {"i": str(i)}

    def test_nested_grandchildren(self, world: World) -> None:
        self.needs(Capability.NESTED_TREE)
        grand = T("grand", S("log_param", ("depth", "2")), run_mode="nested")
        child = T("child", S("log_param", ("depth", "1")), children=(grand,), run_mode="nested")
        self.run(T("root", children=(child,)))
        runs = world.by_task()
        assert runs["grand"].data.tags["mlflow.parentRunId"] == runs["child"].info.run_id
        assert runs["child"].data.tags["mlflow.parentRunId"] == runs["root"].info.run_id

    @pytest.mark.parametrize("is_async", [False, True], ids=["threads", "asyncio"])
    def test_concurrent_siblings_no_crosstalk(self, world: World, is_async: bool) -> None:
        self.needs(Capability.CONCURRENT_SIBLINGS)
        kids = tuple(
            T(f"sib{i}", S("log_param", ("who", f"sib{i}")), S("sleep", (0.05 * (4 - i),)),
              S("log_metric", ("score", float(i))), S("run_param", ("tail", f"t{i}")),
              run_mode="nested", is_async=is_async)
            for i in range(4)
        )
        self.run(T("parent", S("log_param", ("who", "parent")), children=kids,
                   concurrent=True, is_async=is_async))
        runs = world.by_task()
        assert len(runs) == 5
        for i in range(4):
            kid = runs[f"sib{i}"]
            assert kid.data.params == {"who": f"sib{i}", "tail": f"t{i}"}, kid.data.params
            assert kid.data.metrics == {"score": float(i)}
            assert kid.info.status == "FINISHED"
            assert kid.data.tags["mlflow.parentRunId"] == runs["parent"].info.run_id
        assert runs["parent"].data.params == {"who": "parent"}

    # -- rank gating ---------------------------------------------------------------------
    def test_rank_gating_no_run_body_still_runs(self, world: World) -> None:
        self.run(T("gated", S("log_param", ("x", "1"))), env={"RANK": "1"})
        self.run(T("rank0", S("log_param", ("x", "0"))), env={"RANK": "0"})
        assert world.seen("gated")["run_id"] is None
        assert [r.data.tags["trackmw.task"] for r in world.runs()] == ["rank0"]

    def test_rank_gating_never_imports_mlflow(self, world: World) -> None:
        """In a fresh process on rank 1 the task runs and mlflow is never imported."""
        module, cls = type(self.harness).__module__, type(self.harness).__qualname__
        if module in ("__main__", "conftest") or "<locals>" in cls:
            pytest.skip("harness must live in an importable module for process scenarios")
        code = (
            "import importlib, sys, json\n"
            "from trackmw_conformance.harness import TaskSpec, Step\n"
            f"h = getattr(importlib.import_module({module!r}), {cls!r})()\n"
            "h.run(TaskSpec('gated', {}, (Step('run_param', ('x', '1')),)))\n"
            "assert 'mlflow' not in sys.modules, 'mlflow was imported'\n"
        )
        env = {**os.environ, "RANK": "1"}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        seen = world.seen("gated")
        assert seen["run_id"] is None and seen["mlflow_imported_after"] is False
        assert world.runs() == []
        self.run(T("rank0", S("log_param", ("x", "0"))))
        assert len(world.runs()) == 1, "the store recorded nothing: the check above proves nothing"

    # -- config layering -----------------------------------------------------------------
    def test_config_layers_override_in_order(self, world: World,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TRACKMW_RUN_NAME", "from-env")
        monkeypatch.setenv("TRACKMW_TAGS", '{"layer": "env", "env_only": "e"}')
        self.run(T("env_wins"))
        assert world.one_run(task="env_wins").info.run_name == "from-env"
        ctx = {"run_name": "from-context", "tags": {"layer": "context", "ctx_only": "c"}}
        self.run(T("ctx_wins"), run_config=ctx)
        run = world.one_run(task="ctx_wins")
        assert run.info.run_name == "from-context"
        assert run.data.tags["layer"] == "context" and run.data.tags["env_only"] == "e"
        self.run(T("explicit_wins", run_name="explicit", tags={"layer": "explicit"}),
                 run_config=ctx)
        run = world.one_run(task="explicit_wins")
        assert run.info.run_name == "explicit"
        tags = run.data.tags
        assert (tags["layer"], tags["ctx_only"], tags["env_only"]) == ("explicit", "c", "e")

    def test_run_context_layer_is_orchestrator_native(self, world: World) -> None:
        self.needs(Capability.RUN_CONTEXT)
        child = T("child", S("log_param", ("who", "child")))
        self.run(T("parent", children=(child,)), run_config={"run_mode": "nested"})
        runs = world.by_task()
        assert runs["child"].data.tags["mlflow.parentRunId"] == runs["parent"].info.run_id

    def test_unknown_config_key_errors_no_run(self, world: World) -> None:
        self.fails(T("typo", run_mod="new"), "run_mod")
        assert world.runs() == []

    def test_bad_config_value_names_allowed_values(self, world: World) -> None:
        self.fails(T("bad", run_mode="sideways"), "auto | new | nested")
        assert world.runs() == []

    # -- params --------------------------------------------------------------------------
    def test_params_flattened_recursively(self, world: World) -> None:
        value = {"model": {"depth": 3, "opt": {"lr": 0.1}}, "seed": 7}
        self.run(T("flat", S("run_param", ("cfg", value)), flatten_params=True))
        assert world.one_run(task="flat").data.params == {
            "cfg.model.depth": "3", "cfg.model.opt.lr": "0.1", "cfg.seed": "7"
        }

    def test_params_flatten_separator_and_one_level(self, world: World) -> None:
        value = {"model": {"opt": {"lr": 0.1}}}
        self.run(T("flat", S("run_param", ("cfg", value)), flatten_params=True,
                   flatten_sep="/", flatten_recursive=False))
        assert world.one_run(task="flat").data.params == {"cfg/model": "{'opt': {'lr': 0.1}}"}

    @pytest.mark.parametrize("strategy", ["tag", "truncate"])
    def test_long_param_strategies_at_mlflow_limit(self, world: World, strategy: str) -> None:
        at_limit, over = "a" * 6000, "b" * 6001
        self.run(T("long", S("run_param", ("at_limit", at_limit)), S("run_param", ("over", over)),
                   long_params_strategy=strategy))
        run = world.one_run(task="long")
        assert run.data.params["at_limit"] == at_limit
        if strategy == "truncate":
            assert run.data.params["over"] == over[:6000]
        else:
            assert "over" not in run.data.params
            assert run.data.tags["param.over"] == over

    def test_long_param_fail_strategy_fails_run(self, world: World) -> None:
        self.fails(T("long", S("run_param", ("over", "c" * 6001)), long_params_strategy="fail"),
                   "6000")
        run = world.one_run(task="long")
        assert run.info.status == "FAILED" and "over" not in run.data.params

    # -- lifecycle options ---------------------------------------------------------------
    def test_disabled_tracking_runs_body_without_run(self, world: World) -> None:
        self.run(T("off", S("run_param", ("x", "1")), enabled=False))
        assert world.seen("off")["run_id"] is None
        self.run(T("on", S("run_param", ("x", "1"))))
        assert [r.data.tags["trackmw.task"] for r in world.runs()] == ["on"]

    def test_resume_by_run_id(self, world: World) -> None:
        client = world.client
        eid = client.create_experiment(world.experiment_name)
        earlier = client.create_run(eid, run_name="earlier")
        client.log_param(earlier.info.run_id, "first", "1")
        client.set_terminated(earlier.info.run_id, "FAILED")
        self.run(T("resumed", S("log_param", ("second", "2")), run_id=earlier.info.run_id))
        run = client.get_run(earlier.info.run_id)
        assert run.data.params == {"first": "1", "second": "2"}
        assert run.info.status == "FINISHED"
        assert len(world.runs()) == 1

    def test_experiment_created_when_missing(self, world: World) -> None:
        name = world.experiment_name + "-created"
        self.run(T("creator", experiment_name=name))
        assert [r.data.tags["trackmw.task"] for r in world.runs(name)] == ["creator"]

    def test_deleted_experiment_restored_only_when_asked(self, world: World) -> None:
        client, name = world.client, world.experiment_name + "-deleted"
        client.delete_experiment(client.create_experiment(name))
        self.fails(T("refused", experiment_name=name), "restore_if_deleted")
        self.run(T("restorer", experiment_name=name, restore_if_deleted=True))
        assert client.get_experiment_by_name(name).lifecycle_stage == "active"
        assert [r.data.tags["trackmw.task"] for r in world.runs(name)] == ["restorer"]

    def test_no_state_leaks(self, world: World) -> None:
        import mlflow

        before = mlflow.active_run()
        self.fails(T("leaky", S("log_param", ("x", "1")), S("raise", ("leak-check",))),
                   "leak-check")
        self.run(T("clean", S("log_param", ("x", "2"))))
        assert mlflow.active_run() is before
        assert "BAGGAGE" not in os.environ or "trackmw.run_id" not in os.environ["BAGGAGE"]
        assert {r.info.status for r in world.runs()} == {"FAILED", "FINISHED"}

    def test_autolog_real_sklearn_fit(self, world: World) -> None:
        self.needs(Capability.AUTOLOG)
        self.run(T("fit", S("fit"), autolog=True, framework="sklearn", log_models=False))
        run = world.one_run(task="fit")
        assert "fit_intercept" in run.data.params, run.data.params
        assert any(k.startswith("training_") for k in run.data.metrics), run.data.metrics
        from mlflow.utils.autologging_utils import autologging_is_disabled

        assert autologging_is_disabled("sklearn"), "autolog stayed on after the task"

    # -- links ---------------------------------------------------------------------------
    def test_link_from_host_and_default_template(self, world: World) -> None:
        self.run(T("linked", link_host="https://mlflow.example.com/"))
        run = world.one_run(task="linked")
        assert run.data.tags["trackmw.link"] == (
            f"https://mlflow.example.com/#/experiments/{run.info.experiment_id}"
            f"/runs/{run.info.run_id}"
        )

    def test_link_custom_template(self, world: World) -> None:
        self.run(T("linked", link_host="http://ui", link_template="{host}/r/{run_id}?t={task}"))
        run = world.one_run(task="linked")
        assert run.data.tags["trackmw.link"] == f"http://ui/r/{run.info.run_id}?t=linked"

    def test_link_template_attribute_access_rejected(self, world: World) -> None:
        self.fails(T("evil", link_template="{run_id.__class__}"), "link_template")
        assert world.runs() == []

    def test_link_never_holds_credentials(self, world: World) -> None:
        self.run(T("secret", link_host="https://user:hunter2@mlflow.example.com",
                   credentials={"CONFORMANCE_TOKEN": "hunter2"}))
        run = world.one_run(task="secret")
        assert "hunter2" not in run.data.tags["trackmw.link"]
        assert all("hunter2" not in v for v in {**run.data.tags, **run.data.params}.values())


def scenario_names() -> list[str]:
    return sorted(n for n in vars(ConformanceTests) if n.startswith("test_"))

