"""llmprof bench, installed and run in a subprocess, against llama.cpp serving a tiny random model.

What is checked is what a latency/cost client needs from a real engine: every request succeeds,
the output length is forced (llmprof sends max_tokens, ignore_eos and min_tokens; llama-cpp-python
honours min_tokens, llama.cpp's llama-server ignore_eos), the usage the server reports, and a
fitted latency model in which both input and output length cost time.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.real_engine.conftest import REPO, SUITE_DIR

pytestmark = pytest.mark.real_engine

SUITE = SUITE_DIR / "suite.yaml"
MODEL = "tiny-random-llama"  # the alias serve.py gives the model


def bench(exe: str, url: str, tmp_path: Path, *args: str, name: str = "out") -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMPROF_")}
    env.update(NO_COLOR="1", HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    done = subprocess.run(
        [exe, "bench", *args, "-e", url, "-m", MODEL, "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, f"llmprof bench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    document: dict[str, Any] = json.loads(out.read_text())
    assert document["kind"] == "llmprof.bench"
    return document


def measured(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in document["requests"] if not r["warmup"]]


def assert_all_succeeded(document: dict[str, Any]) -> None:
    failed = [(r["cell"], r["error_kind"], r["error"]) for r in document["requests"] if not r["ok"]]
    assert not failed, f"failed requests: {failed[:5]}"
    assert all(cell["failed"] == 0 for cell in document["summary"]["cells"])


def test_suite_streamed_fits_prefill_and_decode(llmprof_exe: str, python_server: str, tmp_path: Path) -> None:
    """The committed suite, as is: 3 input x 3 output lengths, streamed, one at a time."""
    document = bench(llmprof_exe, python_server, tmp_path, str(SUITE))
    assert_all_succeeded(document)
    records = measured(document)
    assert {r["cell"] for r in records} == {f"{i}x{o}" for i in (64, 256, 1024) for o in (1, 16, 64)}
    assert document["run"]["settings"]["force_length"] is True
    for r in records:
        assert r["ttft_s"] is not None and 0 < r["ttft_s"] <= r["e2e_s"]
        # llama-cpp-python streams one content chunk per token (a chunk may hold two when its
        # text could begin a stop string and is held back), so chunks bound the length from below.
        chunks = len(r["itl_s"]) + 1
        assert r["output_target"] - 2 <= chunks <= r["output_target"], (r["cell"], chunks)
        # No usage in its streams: the count comes from finish_reason "length" (exactly max_tokens),
        # not from a foreign tokenizer's guess at the text.
        assert (r["finish_reason"], r["tokens_source"], r["output_tokens"]) == ("length", "length", r["output_target"])
    model = document["summary"]["latency_model"]
    assert model is not None and model["n"] == len(records)
    prefill_ms_per_1k = model["per_input_token_s"] * 1e6
    decode_ms_per_token = model["per_output_token_s"] * 1e3
    assert prefill_ms_per_1k > 0, model
    assert decode_ms_per_token > 0, model
    # Input length must really cost time: the 1024-token cells start later than the 64-token ones.
    cells = {c["cell"]: c for c in document["summary"]["cells"]}
    assert cells["1024x1"]["ttft_s"]["p50"] > cells["64x1"]["ttft_s"]["p50"]
    assert cells["64x64"]["e2e_s"]["p50"] > cells["64x1"]["e2e_s"]["p50"]


def test_forced_length_and_usage_unstreamed(llmprof_exe: str, python_server: str, tmp_path: Path) -> None:
    """Not streamed, llama-cpp-python reports usage: completion_tokens is exactly max_tokens
    when forced (min_tokens does it; it ignores ignore_eos), and prompt_tokens is its own count
    of the ChatML-templated prompt, BOS included."""
    document = bench(llmprof_exe, python_server, tmp_path, "--no-stream", "--cells", "64x16,1024x64", "--runs", "3")
    assert_all_succeeded(document)
    for r in measured(document):
        assert r["tokens_source"] == "api"
        assert r["output_tokens_api"] == r["output_target"], r
        assert r["input_tokens_api"] is not None and r["input_tokens_api"] > 0
        # Same order of size as the target: the vocabulary holds llmprof's filler words.
        assert 0.8 * r["input_target"] <= r["input_tokens_api"] <= 1.3 * r["input_target"] + 16, r


def test_model_stops_on_its_own_unless_forced(llmprof_exe: str, python_server: str, tmp_path: Path) -> None:
    """Without min_tokens the model ends early now and then, as a chat model does; so the forced
    lengths above are the server's doing, not the model's."""
    document = bench(
        llmprof_exe, python_server, tmp_path, "--no-stream", "--no-force-length", "--cells", "64x64", "--runs", "8"
    )
    assert_all_succeeded(document)  # an answer that is EOS at once is a success of 0 tokens, not a failure
    lengths = [r["output_tokens_api"] for r in measured(document)]
    assert all(n is not None and 0 <= n <= 64 for n in lengths), lengths
    assert min(lengths) < 64, f"the model never stopped early on its own: {lengths}"


def test_concurrent_streams_queue(llmprof_exe: str, python_server: str, tmp_path: Path) -> None:
    """llmprof's default concurrency (4) against a server that runs one completion at a time: with
    --interrupt_requests False (serve.py) the streams queue; with the server's default each new
    request would cut the stream in flight (data: [DONE] and a closed connection)."""
    document = bench(llmprof_exe, python_server, tmp_path, "--cells", "256x16", "--runs", "8", "--concurrency", "4")
    assert_all_succeeded(document)
    assert all(len(r["itl_s"]) + 1 == 16 for r in measured(document))


def test_cpp_llama_server_streamed_usage(llmprof_exe: str, cpp_server: str, tmp_path: Path) -> None:
    """llama.cpp's own server: usage arrives in the stream (stream_options.include_usage, in a
    last chunk with "choices": []) and ignore_eos forces the length (min_tokens does nothing).

    This llama-server closes the connection after every streamed response although it answered
    "Keep-Alive: timeout=5, max=100", so a request sent on the reused connection now and then gets
    no byte of a response. llmprof resends such a request once on a fresh connection (recorded as
    "reconnected"), as HTTP clients do: none may fail for it."""
    document = bench(
        llmprof_exe, cpp_server, tmp_path, "--cells", "64x1,64x16,1024x64", "--runs", "4", "--concurrency", "1"
    )
    assert_all_succeeded(document)
    ok = measured(document)
    for r in ok:
        assert r["tokens_source"] == "api", r
        assert r["output_tokens_api"] == r["output_target"], r
        assert r["input_tokens_api"] is not None and r["input_tokens_api"] > 0
        assert len(r["itl_s"]) + 1 == r["output_target"]  # one content chunk per token
        assert r["server_prefill_s"] is not None and r["server_decode_s"] is not None  # its timings, kept


def test_suite_file_is_in_the_repo() -> None:
    assert SUITE.is_file() and SUITE.is_relative_to(REPO)
