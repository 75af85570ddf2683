"""Start and stop the real inference engine that setup.sh built, on 127.0.0.1 and a free port.

    python serve.py start [--engine python|cpp] [--port N]   # prints the base URL (…/v1)
    python serve.py status
    python serve.py stop

Engines, both llama.cpp from the one pinned llama-cpp-python source package:
  python  llama-cpp-python's OpenAI-compatible server (FastAPI), ``python -m llama_cpp.server``
  cpp     llama.cpp's own C++ server, ``llama-server`` (built by setup.sh from the same sdist)

``start`` runs the server in its own session, records its pid, port and log in
``$CACHE/server-<engine>.json`` and returns once ``GET /v1/models`` answers; ``stop`` ends that pid
only. Run it with any Python 3.10+; the server itself runs in the engine's venv.
``Server`` is the same thing as a context manager, for tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
ENGINES = ("python", "cpp")
MODEL_NAME = "tiny-random-llama"


def cache_dir() -> Path:
    return Path(os.environ.get("LLMPROF_REAL_ENGINE_CACHE") or REPO / ".cache" / "real-engine").resolve()


def model_path() -> Path:
    return cache_dir() / "tiny-random-llama.gguf"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(engine: str, port: int, threads: int, ctx: int) -> list[str]:
    cache = cache_dir()
    if engine == "python":
        return [
            str(cache / "venv" / "bin" / "python"),
            "-m",
            "llama_cpp.server",
            "--model",
            str(model_path()),
            "--model_alias",
            MODEL_NAME,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(ctx),
            "--n_threads",
            str(threads),
            "--n_threads_batch",
            str(threads),
            # Its default (True) ends the stream in flight, mid-answer, whenever another request
            # arrives: at llmprof's default concurrency of 4 nearly every stream was cut. False
            # queues requests instead, as an engine under load does.
            "--interrupt_requests",
            "False",
        ]
    if engine == "cpp":
        return [
            str(cache / "llama-server" / "bin" / "llama-server"),
            "--model",
            str(model_path()),
            "--alias",
            MODEL_NAME,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ctx-size",
            str(ctx),
            "--threads",
            str(threads),
            "--threads-batch",
            str(threads),
            "--parallel",
            "1",
            "--no-webui",
        ]
    raise SystemExit(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """One engine process on 127.0.0.1; ``url`` is its OpenAI base URL (ends in /v1)."""

    def __init__(self, engine: str = "python", port: int | None = None, threads: int | None = None, ctx: int = 4096):
        self.engine = engine
        self.port = port or free_port()
        # One thread by default: on 2 shared cores, two llama.cpp threads spin at their barriers
        # whenever anything else runs, and a 0.5 s request turns into 3-6 s (measured).
        self.threads = threads or 1
        self.ctx = ctx
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = cache_dir() / f"server-{engine}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 120.0) -> Server:
        argv = command(self.engine, self.port, self.threads, self.ctx)
        for path in (Path(argv[0]), model_path()):
            if not path.exists():
                raise SystemExit(f"{path} is missing: run benchmarks/suites/real-engine/setup.sh first")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the {self.engine} server exited with {self.process.returncode}:\n{tail}")
            if _ready(self.url):
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the {self.engine} server did not answer within {timeout_s:g} s (log: {self.log})")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _terminate(self.process.pid)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def _state(engine: str) -> Path:
    return cache_dir() / f"server-{engine}.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="start/stop the real-engine server on 127.0.0.1")
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--engine", choices=ENGINES, default="python")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument(
        "--threads", type=int, default=None, help="llama.cpp threads (default 1: steady on a busy 2-core machine)"
    )
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    state = _state(args.engine)
    known = json.loads(state.read_text()) if state.exists() else None
    running = known is not None and _alive(known["pid"])

    if args.action == "status":
        print(f"{args.engine}: running, pid {known['pid']}, {known['url']}" if running and known else "not running")
        return 0 if running else 1
    if args.action == "stop":
        if running and known:
            _terminate(known["pid"])
            for _ in range(150):
                if not _alive(known["pid"]):
                    break
                time.sleep(0.1)
            print(f"stopped the {args.engine} server (pid {known['pid']})")
        else:
            print(f"no {args.engine} server running")
        state.unlink(missing_ok=True)
        return 0
    if running and known:
        print(known["url"])
        print(f"already running (pid {known['pid']}); stop it with: {sys.argv[0]} stop --engine {args.engine}")
        return 0
    server = Server(args.engine, args.port, args.threads, args.ctx).start()
    assert server.process is not None
    state.write_text(
        json.dumps({"pid": server.process.pid, "port": server.port, "url": server.url, "log": str(server.log)})
    )
    print(server.url)
    print(
        f"{args.engine} server pid {server.process.pid}, model {MODEL_NAME!r}, log {server.log}\n"
        f"  llmprof bench benchmarks/suites/real-engine/suite.yaml -e {server.url}\n"
        f"  python {sys.argv[0]} stop --engine {args.engine}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
