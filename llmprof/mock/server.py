"""Running the mock: ``serve()`` in the foreground (``llmprof mock serve``), and
:class:`MockProcess`, the same server in a child process for ``llmprof bench`` and the tests.

A child process rather than a thread: the mock then never competes with the measuring client for
the GIL, so what a bench measures is the client and the latency model, not the mock's own work.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import errno
import os
import queue
import re
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import IO, TYPE_CHECKING

from llmprof.errors import EndpointError, UsageError
from llmprof.mock import MockSettings
from llmprof.mock.checks import check
from llmprof.net import is_loopback_host

if TYPE_CHECKING:
    import uvicorn

PARENT_WATCH_ENV = "LLMPROF_MOCK_PARENT_WATCH"
IDLE_TIMEOUT_S = 5  # a kept-alive connection with no next request is closed after this
START_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0
_LISTENING = re.compile(r"listening on (http://\S+)")


def _print(line: str) -> None:
    print(line, flush=True)  # a parent reading our stdout through a pipe needs the line now


def _warn(message: str, hint: str | None = None) -> None:
    print(f"warning: {message}" + (f"\n  hint: {hint}" if hint else ""), file=sys.stderr, flush=True)


def serve(
    settings: MockSettings,
    host: str = "127.0.0.1",
    port: int = 8000,
    announce: Callable[[str], None] = _print,
    warn: Callable[[str, str | None], None] = _warn,
) -> None:
    """Serve until Ctrl-C (or, as a child with a watched stdin, until the parent goes away).

    The first announced line is ``llmprof mock listening on http://HOST:PORT (preset NAME)``, with
    the real port when ``port`` is 0; :class:`MockProcess` reads it to learn the URL.
    """
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a foreground server is meant to stop
        _serve(settings, host, port, announce, warn)


def _serve(
    settings: MockSettings,
    host: str,
    port: int,
    announce: Callable[[str], None],
    warn: Callable[[str, str | None], None],
) -> None:
    import uvicorn

    from llmprof.mock.app import ROUTES, create_app
    from llmprof.mock.faults import hide_deliberate_drops

    check(settings)  # an unknown preset or a bad setting is a usage error, before anything is bound
    sock = _bind(host, port)  # a busy port fails fast; connections queue until uvicorn runs
    try:
        app = create_app(settings)  # loads the price table and both encodings
        address, bound_port = sock.getsockname()[:2]
        url_host = f"[{host}]" if ":" in host else host
        announce(f"llmprof mock listening on http://{url_host}:{bound_port} (preset {settings.preset})")
        announce("routes: " + ", ".join(ROUTES))
        if not is_loopback_host(address):
            warn(
                f"bound to {host}, so the mock is reachable from the network and accepts any key",
                "use --host 127.0.0.1 to keep it on this machine.",
            )
        config = uvicorn.Config(
            app,
            http=_guarded_protocol(settings.request_timeout_s),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=IDLE_TIMEOUT_S,
        )
        hide_deliberate_drops()  # after Config: it (re)configures uvicorn's loggers
        server = uvicorn.Server(config)
        if os.environ.get(PARENT_WATCH_ENV) == "1" and _stdin_is_pipe():
            threading.Thread(target=_exit_at_eof, args=(server,), name="parent-watch", daemon=True).start()
        server.run(sockets=[sock])
    finally:
        sock.close()


def _guarded_protocol(timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, plus a clock for connections that never finish a request: one
    that sends nothing, or only part of its headers, is closed after ``timeout_s`` (uvicorn
    itself only times out idle keep-alive connections between requests)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._seen: object = None
            self._guard = self.loop.call_later(timeout_s, self._check)

        def _check(self) -> None:
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and self.cycle is self._seen and not self.transport.is_closing():
                self.transport.close()  # no new request started in a whole period
                return
            self._seen = self.cycle
            self._guard = self.loop.call_later(timeout_s, self._check)

        def connection_lost(self, exc: Exception | None) -> None:
            self._guard.cancel()
            super().connection_lost(exc)

    return Guarded


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound here so that port 0 works and the real port is known."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot bind to host {host!r}: {exc.strerror}", "use an address such as 127.0.0.1") from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not SO_REUSEPORT: busy stays busy
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise EndpointError(
                f"port {port} on {host} is already in use", "pick another --port, or 0 for any free port."
            ) from exc
        if exc.errno == errno.EACCES:
            hint = "ports below 1024 need privileges: pick another --port, or 0 for any free port."
        else:
            hint = "check that --host is an address of this machine, e.g. 127.0.0.1."
        raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint) from exc
    return sock


def _stdin_is_pipe() -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _exit_at_eof(server: uvicorn.Server) -> None:
    """Read stdin until the parent closes it (or dies), then shut the server down."""
    try:
        while os.read(sys.stdin.fileno(), 65536):
            pass
    except (OSError, ValueError):
        pass
    server.should_exit = True


class MockProcess:
    """``llmprof mock serve --port 0`` in a child process, ready when constructed.

    ``url`` is the base URL (``http://127.0.0.1:PORT``); ``stop()`` ends the child and is safe to
    call twice. The child watches its stdin, so it also exits if this process dies without
    stopping it.
    """

    def __init__(self, settings: MockSettings | None = None, timeout_s: float = START_TIMEOUT_S) -> None:
        self.settings = settings or MockSettings()
        check(self.settings)  # a bad setting fails here, with the UsageError, not as a dead child
        command = [sys.executable, "-m", "llmprof", "mock", "serve", "--port", "0", *cli_flags(self.settings)]
        env = {**os.environ, PARENT_WATCH_ENV: "1"}
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        self._first_line: queue.Queue[str] = queue.Queue()
        assert self._process.stdout is not None and self._process.stderr is not None
        _drain(self._process.stdout, self._first_line.put, at_eof="")
        self._stderr_reader = _drain(self._process.stderr, self._stderr.append)
        self._stopped = False
        self.url = self._wait_for_url(timeout_s)

    def _wait_for_url(self, timeout_s: float) -> str:
        try:
            line = self._first_line.get(timeout=timeout_s)
        except queue.Empty:
            self.stop()
            raise EndpointError(
                f"the mock server did not start within {timeout_s:g} s{self._stderr_tail()}",
                "run `llmprof mock serve --port 0` yourself to see what it says.",
            ) from None
        match = _LISTENING.search(line)
        if match is None:
            self.stop()
            status = f"said {line.strip()!r}" if line else f"exited with code {self._process.returncode}"
            raise EndpointError(
                f"the mock server did not start: it {status}{self._stderr_tail()}",
                "run `llmprof mock serve --port 0` yourself to see what it says.",
            )
        return match.group(1)

    def stderr_tail(self) -> str:
        """The last lines the child wrote to stderr (uvicorn's warnings and errors)."""
        if self._process.poll() is not None:
            self._stderr_reader.join(timeout=1.0)  # the child is gone: its last words are in the pipe
        return "".join(self._stderr).strip()

    def _stderr_tail(self) -> str:
        tail = self.stderr_tail()
        return f"; its stderr ends:\n{tail}" if tail else ""

    def stop(self) -> None:
        """Terminate the child (kill it if it takes more than 5 s). Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        process = self._process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdin is not None:
            process.stdin.close()

    def __enter__(self) -> MockProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def cli_flags(settings: MockSettings) -> list[str]:
    """``llmprof mock serve`` flags for ``settings`` (each field is a flag of the same name; a
    true/false field is a switch, ``--name`` or ``--no-name``)."""
    flags: list[str] = []
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        name = field.name.replace("_", "-")
        if isinstance(value, bool):
            flags.append(f"--{name}" if value else f"--no-{name}")
        elif value is not None:
            flags += [f"--{name}", str(value)]
    return flags


def _drain(pipe: IO[bytes], sink: Callable[[str], None], at_eof: str | None = None) -> threading.Thread:
    """Read a child's pipe line by line in a daemon thread, so the child never blocks writing to it."""

    def run() -> None:
        with pipe:
            for raw in iter(pipe.readline, b""):
                sink(raw.decode("utf-8", errors="replace"))
        if at_eof is not None:
            sink(at_eof)

    thread = threading.Thread(target=run, name="mock-pipe", daemon=True)
    thread.start()
    return thread
