"""Opt-in: llmprof bench against a real inference engine (llama.cpp) on this machine.

These tests build the engine on first use (minutes on 2 cores; see
benchmarks/suites/real-engine/README.md), so they run only when asked for:

    python -m pytest -m real_engine tests/real_engine
    LLMPROF_REAL_ENGINE=1 python -m pytest tests/real_engine
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SUITE_DIR = REPO / "benchmarks" / "suites" / "real-engine"
SETUP_TIMEOUT_S = 3600  # a first build on 2 cores takes a quarter of an hour or more


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_engine: runs llmprof against a real llama.cpp server (opt-in: -m real_engine)"
    )


def requested(config: pytest.Config) -> bool:
    return os.environ.get("LLMPROF_REAL_ENGINE") == "1" or "real_engine" in (config.getoption("markexpr") or "")


@pytest.fixture(autouse=True, scope="session")
def _opt_in(request: pytest.FixtureRequest) -> None:
    if not requested(request.config):
        pytest.skip("opt-in: pass -m real_engine or set LLMPROF_REAL_ENGINE=1 (builds llama.cpp on first use)")


def _load_serve() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_engine_serve", SUITE_DIR / "serve.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def serve(_opt_in: None) -> ModuleType:
    """serve.py, after setup.sh has made sure the engine and the model exist (fast when they do)."""
    env = {**os.environ, "PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", str(SUITE_DIR / "setup.sh")], env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT_S
    )
    assert done.returncode == 0, f"setup.sh failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return _load_serve()


@pytest.fixture(scope="session")
def llmprof_exe() -> str:
    exe = shutil.which("llmprof", path=str(Path(sys.executable).parent)) or shutil.which("llmprof")
    assert exe, f"llmprof is not installed next to {sys.executable}"
    return exe


@pytest.fixture(scope="module")
def python_server(serve: ModuleType) -> Iterator[str]:
    with serve.Server("python") as server:
        yield server.url


@pytest.fixture(scope="module")
def cpp_server(serve: ModuleType) -> Iterator[str]:
    binary = serve.cache_dir() / "llama-server" / "bin" / "llama-server"
    if not binary.exists():
        pytest.skip("llama.cpp's llama-server is not built: run setup.sh with REAL_ENGINE_CPP=1")
    with serve.Server("cpp") as server:
        yield server.url
