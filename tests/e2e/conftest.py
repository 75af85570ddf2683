"""End-to-end helpers: run the installed ``llmprof`` in a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TODAY

BIN = Path(sys.executable).parent

# Put on PYTHONPATH, this makes any connection beyond loopback fail loudly in the child process.
NO_NETWORK = """
import socket
_connect = socket.socket.connect
def _guard(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
        raise OSError(f"network access blocked by the test: {address!r}")
    return _connect(self, address)
socket.socket.connect = _guard
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def llmprof_exe() -> str:
    exe = shutil.which("llmprof", path=str(BIN))
    assert exe, f"llmprof is not installed next to {sys.executable}"
    return exe


@pytest.fixture
def offline_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment with no network beyond loopback and an empty tiktoken cache."""
    guard = tmp_path_factory.mktemp("guard")
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    cache = tmp_path_factory.mktemp("empty-tiktoken-cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMPROF_", "TIKTOKEN_"))}
    env.update(
        LLMPROF_TODAY=TODAY,
        PYTHONPATH=str(guard),
        TIKTOKEN_CACHE_DIR=str(cache),
        NO_COLOR="1",
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
    )
    return env


@pytest.fixture
def run(llmprof_exe: str, offline_env: dict[str, str], tmp_path: Path) -> Run:
    def _run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [llmprof_exe, *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            env={**offline_env, **(env or {})},
            cwd=cwd or tmp_path,
        )

    return _run
