"""The MLflow stores the suite runs against: file, SQLite and a live ``mlflow server``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = ["STORES", "MlflowServer", "quiet_env", "store_uri"]

STORES = ("file", "sqlite", "server")

#: Keeps MLflow (and friends) off the network and out of the home directory.
QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ALLOW_FILE_STORE": "true",
    "KEDRO_DISABLE_TELEMETRY": "true",
}


def quiet_env() -> dict[str, str]:
    return dict(QUIET)


def store_uri(kind: str, folder: Path, server: MlflowServer | None = None) -> str:
    if kind == "file":
        return (folder / "mlruns").as_uri()
    if kind == "sqlite":
        return f"sqlite:///{folder / 'mlflow.db'}"
    if kind == "server" and server is not None:
        return server.uri
    raise ValueError(f"unknown store {kind!r}; allowed: {', '.join(STORES)}")


class MlflowServer:
    """``mlflow server`` on 127.0.0.1 and a free port, for one test session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> MlflowServer:
        return self.launch().wait(timeout)

    def launch(self) -> MlflowServer:
        """Start the process without waiting for it to serve."""
        self.folder.mkdir(parents=True, exist_ok=True)
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "mlflow", "server",
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--workers", "1",
                "--backend-store-uri", f"sqlite:///{self.folder / 'server.db'}",
                "--artifacts-destination", str(self.folder / "artifacts"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **QUIET},
            cwd=self.folder,
        )
        return self

    def wait(self, timeout: float = 90.0) -> MlflowServer:
        """Block until ``/health`` answers; stop the server and raise if it never does."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.uri}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"mlflow server not up after {timeout}s: {self._log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _log_tail(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
