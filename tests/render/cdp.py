"""A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (standard library
only, nothing downloaded): headless Chromium opens a page with the network switched off, and the
test reads what a person would see: console errors, every request the page tried, dialogs,
the DOM, and a screenshot.

The pipe protocol: JSON messages, each ended by a NUL byte; Chromium reads commands on its fd 3
and writes replies and events on its fd 4.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    configured = os.environ.get("LLMPROF_CHROMIUM")
    if configured:
        return configured
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium with one page, driven over the pipe. Use as a context manager."""

    def __init__(self, executable: str, profile: Path, width: int = 1280, height: int = 900) -> None:
        self._commands_r, self._commands_w = os.pipe()
        self._events_r, self._events_w = os.pipe()
        self._log = profile.with_name(profile.name + ".log")
        # Chromium's ends, first moved above 9 so that putting them on 3 and 4 cannot clobber one another.
        for name in ("_commands_r", "_events_w"):
            low = getattr(self, name)
            setattr(self, name, fcntl.fcntl(low, fcntl.F_DUPFD_CLOEXEC, 10))
            os.close(low)
        args = [
            "--headless",
            "--remote-debugging-pipe",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox will not start
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-features=MediaRouter,OptimizationHints,Translate",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        commands, events = self._commands_r, self._events_w

        def onto_3_and_4() -> None:  # in the child, before exec; every other fd of ours closes on exec
            os.dup2(commands, 3)
            os.dup2(events, 4)

        self._process = subprocess.Popen(
            [executable, *args],
            close_fds=False,
            preexec_fn=onto_3_and_4,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log.open("wb"),  # a file, not a pipe: Chromium talks a lot and must never block on it
        )
        os.close(self._commands_r)
        os.close(self._events_w)
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.session: str | None = None
        self.width, self.height = width, height

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the pipe ---------------------------------------------------------------------------------
    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._events_r, "rb", buffering=0) as stream:
            while chunk := stream.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._inbox.put(json.loads(message))
        self._inbox.put(None)

    def _pump(self, deadline: float) -> None:
        try:
            message = self._inbox.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            return
        if message is None:
            raise BrowserError("Chromium closed the pipe: " + self._stderr())
        if "id" in message:
            self._replies[message["id"]] = message
        else:
            self.events.append(message)
            if message.get("method") == "Page.javascriptDialogOpening":  # never leave a dialog blocking the page
                self.send("Page.handleJavaScriptDialog", {"accept": False}, wait=False)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, wait: bool = True, timeout: float = 60
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._commands_w, json.dumps(message).encode("utf-8") + b"\0")
        if not wait:
            return {}
        deadline = time.monotonic() + timeout
        while self._next_id not in self._replies:
            if time.monotonic() > deadline:
                raise BrowserError(f"no reply to {method} within {timeout:g} s")
            self._pump(deadline)
        reply = self._replies.pop(self._next_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            if time.monotonic() > deadline:
                raise BrowserError(f"no {method} within {timeout:g} s")
            self._pump(deadline)

    def _stderr(self) -> str:
        try:
            return self._log.read_text("utf-8", "replace")[-2000:]
        except OSError:
            return ""

    # -- a page -----------------------------------------------------------------------------------
    def open_offline(self, url: str) -> None:
        """Open ``url`` in a fresh tab with the network switched off and every request recorded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        reply = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, timeout=timeout
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression[:60]}...: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 60) -> Any:
        """Poll ``expression`` until it is truthy (the page's own signal that it is done)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"{expression} stayed false for {timeout:g} s")
            self._pump(time.monotonic() + 0.1)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser-reported problems (CSP, loads)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(
                    "exception: " + str(details.get("exception", {}).get("description") or details.get("text"))
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                found.append(
                    f"console.{params['type']}: "
                    + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))
                )
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                entry = params["entry"]
                found.append(f"log ({entry.get('source')}): {entry.get('text')}")
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for, the page itself included."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def dialogs(self) -> list[str]:
        return [
            e["params"].get("message", "") for e in self.events if e.get("method") == "Page.javascriptDialogOpening"
        ]

    def screenshot(self, path: Path) -> None:
        """The whole page, not just the window, as PNG."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})[
            "data"
        ]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            if self._process.poll() is None:
                self.send("Browser.close", wait=False)
                self._process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            with contextlib.suppress(OSError):
                os.close(self._commands_w)
