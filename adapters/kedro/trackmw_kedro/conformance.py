"""The conformance harness: task trees as real ``KedroSession`` runs of a real Kedro project.

Loaded by the suite only (``pytest --trackmw-adapter=kedro``); needs ``trackmw-conformance``.

Mapping (Kedro runs a flat graph of nodes inside one pipeline run):

- the root :class:`TaskSpec` is the pipeline run: a pipeline registered under its name, with
  its config in ``conf/base/trackmw.yml`` under ``pipelines.<name>``; its body is a node of
  the same name, which reuses the pipeline's run;
- each child is a node that consumes its parent's output (so it runs after it), with its
  config under ``nodes.<name>``; concurrent children run on a ``ThreadRunner``, the rest on
  a ``SequentialRunner`` (``runner=`` forces one);
- run-wide config is the top level of ``trackmw.yml``.

Kedro nodes have no children of their own, so the harness does not claim ``NESTED_TREE``.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import textwrap
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from trackmw_conformance.body import run_body, run_body_async
from trackmw_conformance.harness import Capability, Harness, TaskSpec

__all__ = ["KedroHarness", "current_pipelines"]

PACKAGE = "trackmw_conformance_project"
_lock = threading.Lock()
_pipelines: dict[str, Any] = {}
_project: Path | None = None


class KedroHarness(Harness):
    """Runs each tree as one ``KedroSession.run`` of a generated Kedro project."""

    name = "kedro"
    # a Ctrl-C or cancellation escapes Kedro without a hook; nodes have no children
    capabilities = Capability.ALL - {Capability.INTERRUPT, Capability.CANCEL,
                                     Capability.NESTED_TREE}

    def __init__(self, runner: str | None = None) -> None:
        self.runner = runner  # "sequential" | "thread" | "parallel"; None: by the tree

    def run(
        self,
        root: TaskSpec,
        *,
        run_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        from kedro.framework.session import KedroSession

        with self.environment(env), _lock, _without_kedro_mlflow():
            project = project_path()
            sections = {"pipelines": {root.name: dict(root.config)},
                        "nodes": {c.name: dict(c.config) for c in root.walk() if c is not root}}
            sections["nodes"][root.name] = {"run_mode": "auto"}  # the pipeline's own body
            conf = {**(run_config or {}), **sections}
            (project / "conf" / "base" / "trackmw.yml").write_text(yaml.safe_dump(conf))
            _pipelines.clear()
            _pipelines[root.name] = _pipeline(root)
            _configure(project)
            with KedroSession.create(project_path=project) as session:
                session.run(pipeline_names=[root.name], runner=self._runner(root))  # type: ignore[call-arg]

    def _runner(self, root: TaskSpec) -> Any:
        from kedro.runner import ParallelRunner, SequentialRunner, ThreadRunner

        kind = self.runner or ("thread" if any(t.concurrent for t in root.walk()) else
                               "sequential")
        return {"sequential": SequentialRunner, "thread": ThreadRunner,
                "parallel": ParallelRunner}[kind]()


def _configure(project: Path) -> None:
    """Bootstrap the project once per process (settings take a second to load); later
    runs only make Kedro load the new pipelines."""
    from kedro.framework import project as kedro_project
    from kedro.framework.startup import bootstrap_project

    if kedro_project.PACKAGE_NAME != PACKAGE:
        bootstrap_project(project)
    else:
        kedro_project.pipelines.configure(f"{PACKAGE}.pipeline_registry")


def current_pipelines() -> dict[str, Any]:
    """What the generated project's ``register_pipelines`` returns."""
    return dict(_pipelines)


def _pipeline(root: TaskSpec) -> Any:
    from kedro.pipeline import Pipeline, node

    nodes = []

    def add(spec: TaskSpec, after: str | None) -> None:
        nodes.append(node(_Body(spec), inputs=after, outputs=f"{spec.name}__done",
                          name=spec.name))
        previous = f"{spec.name}__done"
        for child in spec.children:
            add(child, previous)
            if not spec.concurrent:  # one after the other, in order
                previous = f"{child.name}__done"

    add(root, None)
    return Pipeline(nodes)


class _Body:
    """A node function running one task's body (a class, so spawn workers can pickle it)."""

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.__name__ = spec.name

    def __call__(self, *_upstream: Any) -> bool:
        if self.spec.is_async:
            asyncio.run(run_body_async(self.spec))
        else:
            run_body(self.spec)
        return True


@contextlib.contextmanager
def _without_kedro_mlflow() -> Iterator[None]:
    """Keep kedro-mlflow's hook (if installed) out of the harness's sessions.

    Kedro's ``DISABLE_HOOKS_FOR_PLUGINS`` unregisters a plugin only after importing it, and
    kedro-mlflow imports mlflow at import time (on every rank), so it is blocked by entry
    point name before Kedro loads it.
    """
    from kedro.framework.session import session as session_module

    original = session_module._create_hook_manager

    def create() -> Any:
        manager = original()
        manager.set_blocked("mlflow_hook")
        return manager

    session_module._create_hook_manager = create
    try:
        yield
    finally:
        session_module._create_hook_manager = original


def project_path() -> Path:
    """The generated Kedro project (one per process, in a temp folder)."""
    global _project
    if _project is None:
        _project = _write_project(Path(tempfile.mkdtemp(prefix="trackmw-kedro-")))
    return _project


def _write_project(root: Path) -> Path:
    files = {
        "pyproject.toml": f"""
            [tool.kedro]
            package_name = "{PACKAGE}"
            project_name = "trackmw conformance"
            kedro_init_version = "1.0.0"
            source_dir = "src"
            """,
        "conf/base/catalog.yml": "{}\n",
        "conf/base/parameters.yml": "{}\n",
        # kedro-mlflow's file; trackmw's own default for restoring deleted experiments
        "conf/base/mlflow.yml": """
            tracking:
              experiment:
                restore_if_deleted: false
            """,
        "conf/local/.keep": "",
        f"src/{PACKAGE}/__init__.py": "",
        f"src/{PACKAGE}/settings.py": 'DISABLE_HOOKS_FOR_PLUGINS = ("kedro_mlflow",)\n',
        f"src/{PACKAGE}/pipeline_registry.py": """
            from trackmw_kedro.conformance import current_pipelines


            def register_pipelines():
                return current_pipelines()
            """,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root
