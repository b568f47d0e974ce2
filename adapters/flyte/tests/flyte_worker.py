"""Run one Flyte task as a remote worker does, for tests that need "another process".

Flyte's ``a0`` runtime runs the task body with ``asyncio.run`` in the main thread of a fresh
process, custom context delivered in the inputs; this does the same through Flyte's own
``convert_and_run``. Usage: ``python flyte_worker.py module:task '{"custom": "context"}'``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import tempfile

from flyte._internal.runtime.convert import Inputs
from flyte._internal.runtime.taskrunner import convert_and_run
from flyte.models import ActionID, RawDataPath
from flyteidl2.core import literals_pb2
from flyteidl2.task import common_pb2


def main(target: str, context: dict[str, str]) -> None:
    module, name = target.split(":")
    task = getattr(importlib.import_module(module), name)
    tmp = tempfile.mkdtemp()
    pairs = [literals_pb2.KeyValuePair(key=k, value=v) for k, v in context.items()]
    _out, err = asyncio.run(convert_and_run(
        task=task, action=ActionID(name="a1", run_name="remote-run"), controller=None,
        raw_data_path=RawDataPath(path=tmp), version="v1", output_path=tmp, run_base_dir=tmp,
        inputs=Inputs(common_pb2.Inputs(context=pairs)),
    ))
    if err is not None:
        raise SystemExit(f"task failed: {err}")


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
