"""The ``trackmw`` command: ``run`` a script as a tracked task, ``doctor`` shows config."""

from __future__ import annotations

import argparse
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trackmw", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a Python script inside one tracked run")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="config for this run (repeatable), e.g. --set run_mode=new")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    doctor = sub.add_parser("doctor", help="show resolved config, its layers and plugins")
    doctor.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    options = parser.parse_args(argv)
    from trackmw.errors import ConfigError

    try:
        overrides = dict(_pair(item) for item in options.set)
        if options.command == "doctor":
            return _doctor(overrides)
        return _run(options.script, options.args, overrides)
    except ConfigError as exc:
        print(f"trackmw: {exc}", file=sys.stderr)
        return 2


def _pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise SystemExit(f"trackmw: --set takes KEY=VALUE, got {item!r}")
    return key.strip(), value


def _run(script: str, args: list[str], overrides: dict[str, str]) -> int:
    import trackmw

    sys.argv = [script, *args]
    sys.path.insert(0, str(Path(script).resolve().parent))
    with trackmw.start_run(Path(script).stem, **overrides) as run:
        if run is not None:
            print(f"trackmw: run {run.run_id}" + (f" {run.link.url}" if run.link else ""),
                  file=sys.stderr)
        runpy.run_path(script, run_name="__main__")
    return 0


def _doctor(overrides: dict[str, str]) -> int:
    from trackmw.engine import resolve_config
    from trackmw.plugins import get_plugin_manager

    config = resolve_config(**overrides)
    width = max(len(k) for k, _v, _s in config.describe())
    for key, shown, source in config.describe():
        print(f"{key:<{width}}  {shown:<40}  {source}")
    pm = get_plugin_manager()
    print("\nplugins (called first to last):")
    for impl in pm.hook.trackmw_task_info.get_hookimpls()[::-1]:  # pluggy calls last first
        print(f"  {impl.plugin_name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
