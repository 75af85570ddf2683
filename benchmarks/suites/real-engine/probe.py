"""Print what a server really sends for the requests llmprof makes, byte for byte (SSE lines
with their arrival times), plus its answers to a few bad requests.

    python probe.py http://127.0.0.1:PORT/v1 [--model tiny-random-llama] [--only NAME ...]

Standard library only, so it runs with any Python 3. README.md beside it quotes its output.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request
from typing import Any

PROMPT = "Request 0123abcdef: the model answers each question with care and time while users wait"


def chat(model: str, **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": PROMPT}], **extra}


def cases(model: str) -> dict[str, tuple[str, str, Any]]:
    forced = {"max_tokens": 4, "ignore_eos": True, "min_tokens": 4}
    return {
        # exactly what llmprof bench sends to a self-hosted OpenAI-compatible server
        "llmprof-stream": (
            "POST",
            "/chat/completions",
            chat(model, stream=True, stream_options={"include_usage": True}, **forced),
        ),
        "stream-no-options": ("POST", "/chat/completions", chat(model, stream=True, **forced)),
        "unstreamed": ("POST", "/chat/completions", chat(model, **forced)),
        "max-completion-tokens": ("POST", "/chat/completions", chat(model, max_completion_tokens=3)),
        "unforced-64": ("POST", "/chat/completions", chat(model, max_tokens=64)),
        "models": ("GET", "/models", None),
        "bad-json": ("POST", "/chat/completions", b"{not json"),
        "no-messages": ("POST", "/chat/completions", {"model": model, "max_tokens": 4}),
        "max-tokens-0": ("POST", "/chat/completions", chat(model, max_tokens=0)),
        "max-tokens-negative": ("POST", "/chat/completions", chat(model, max_tokens=-5)),
        "unknown-model": ("POST", "/chat/completions", chat("no-such-model", max_tokens=2)),
        "too-long": (
            "POST",
            "/chat/completions",
            {"model": model, "max_tokens": 4, "messages": [{"role": "user", "content": " the" * 6000}]},
        ),
        "too-long-stream": (
            "POST",
            "/chat/completions",
            {"model": model, "max_tokens": 4, "stream": True, "messages": [{"role": "user", "content": " the" * 6000}]},
        ),
        "wrong-path": ("POST", "/chat/completion", chat(model, max_tokens=2)),
    }


def send(base: str, method: str, path: str, body: Any) -> None:
    data = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    print(f">>> {method} {path}")
    if isinstance(body, dict):
        print(f">>> {json.dumps(body)[:400]}")
    elif body is not None:
        print(f">>> {body!r}")
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    t0 = time.perf_counter()
    try:
        response = urllib.request.urlopen(request, timeout=120)
    except urllib.error.HTTPError as exc:
        response = exc
    status = response.status if hasattr(response, "status") else response.code
    headers = {k.lower(): v for k, v in response.headers.items()}
    print(
        f"<<< HTTP {status}  content-type: {headers.get('content-type')}  ({(time.perf_counter() - t0) * 1e3:.1f} ms)"
    )
    with response:
        while True:
            line = response.readline()
            if not line:
                break
            print(f"{(time.perf_counter() - t0) * 1e3:9.1f} ms | {line!r}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="base URL, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--model", default="tiny-random-llama")
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    args = parser.parse_args()
    for name, (method, path, body) in cases(args.model).items():
        if args.only and name not in args.only:
            continue
        print(f"=== {name}")
        send(args.url, method, path, body)


if __name__ == "__main__":
    main()
