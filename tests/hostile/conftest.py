"""Helpers for the hostile battery: a loopback server that misbehaves on demand, and checks that
read every byte llmprof left behind (stdout, stderr, every file under the run's folder).

The server is the standard library's threaded HTTP server: a real socket on 127.0.0.1, speaking
only as much HTTP as each misbehaviour needs, in the shape of whichever API was asked.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Run, llmprof_exe, offline_env, run  # noqa: F401  (fixtures for this folder)

#: A key shaped like a real one, long enough that any 8-character slice of it is distinctive.
SENTINEL = "sk-hostile-SENTINEL-0123456789abcdefXYZ"

Behaviour = Callable[["Handler", str], None]  # (handler, the key it was sent) -> writes a response


def leaks(key: str) -> str:
    """The key in every form a careless server (or client library) might echo it."""
    forms = [
        key,
        repr(key),
        key.upper(),
        quote(key, safe=""),
        base64.b64encode(key.encode()).decode(),
        "Basic " + base64.b64encode(f"user:{key}".encode()).decode(),
        base64.urlsafe_b64encode(("zz" + key).encode()).decode(),
        key[:10] + "..." + key[-4:],
        json.dumps(key + "é")[1:-1],
    ]
    return "echo: " + " | ".join(forms)


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.body = self.rfile.read(length) if length else b""
        auth = self.headers.get("authorization") or ""
        key = auth.removeprefix("Bearer ") or self.headers.get("x-api-key") or self.headers.get("x-goog-api-key") or ""
        self.server.keys.append(key)
        self.server.behaviour(self, key)

    # -- building blocks --------------------------------------------------------------------------
    def send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status: int, message: str, **headers: str) -> None:
        self.send(status, json.dumps({"error": {"message": message, "type": "x"}}).encode(), **headers)

    def stream(self, events: list[bytes], pause: float = 0.0) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        for event in events:
            self.wfile.write(event)
            self.wfile.flush()
            if pause:
                time.sleep(pause)
        self.close_connection = True

    @property
    def api(self) -> str:
        return "anthropic" if self.path.startswith("/v1/messages") else "gemini" if "models/" in self.path else "openai"


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviour = behaviour
        self.keys: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], Server]]:
    servers: list[Server] = []

    def start(behaviour: Behaviour) -> Server:
        server = Server(behaviour)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def everything_written(stdout: str, stderr: str, folder: Path) -> dict[str, str]:
    """stdout, stderr and every file under ``folder``, by name."""
    texts = {"stdout": stdout, "stderr": stderr}
    for path in folder.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return texts


def assert_no_trace_of(secret: str, texts: dict[str, str]) -> None:
    """No byte of ``secret``, no 8+ character slice of it (any case), and no base64 of it."""
    slices = {secret[i : i + 8].lower() for i in range(len(secret) - 7)}
    encoded = set()
    for pad in range(3):
        core = base64.b64encode(b"x" * pad + secret.encode()).decode()[4:-4]
        encoded |= {core, core.replace("+", "-").replace("/", "_")}
    for where, text in texts.items():
        lowered = text.lower()
        found = [s for s in slices if s in lowered] + [e for e in encoded if e in text]
        assert not found, f"{where} holds {found[:3]} of the secret:\n{text[:2000]}"
