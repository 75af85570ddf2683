"""Runner logic (retries, errors, records) against scripted responses via httpx.MockTransport.
Timing accuracy is measured against the real mock server in benchmarks/perf/bench_accuracy.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from llmprof.bench.plan import Cell
from llmprof.bench.providers import get
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import Job, Load, Runner, Target, _retry_after
from llmprof.errors import EndpointError

WORDS = [" one", " two", " three"]


def _sse(words: list[str], done: bool = True, usage: bool = True, broken: bool = False) -> list[bytes]:
    chunks = [b'data: {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}\n\n']
    for word in words:
        chunks.append(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': word}}]})}\n\n".encode())
        if broken:
            chunks.append(b'data: {"choices": [\n\n')
    if usage:
        chunks.append(b'data: {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 3}}\n\n')
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return chunks


async def _stream(chunks: list[bytes], drop_after: int | None = None) -> AsyncIterator[bytes]:
    for i, chunk in enumerate(chunks):
        if drop_after is not None and i == drop_after:
            raise httpx.RemoteProtocolError("peer closed connection")
        yield chunk


def _runner(handler: Callable[[httpx.Request], httpx.Response], key: str | None = None, **load: object) -> Runner:
    target = Target(get("openai"), "http://127.0.0.1:1/v1", "m", key)
    records: list[RequestRecord] = []
    return Runner(
        target,
        Load(**load),
        "o200k_base",
        lambda i, o: None,
        records.append,  # type: ignore[arg-type]
        transport=httpx.MockTransport(handler),
    )


def _jobs(n: int = 1, warmup: int = 0) -> list[Job]:
    cell = Cell(20, 3)
    return [Job(i, cell, "prompt", 20, warmup=i < warmup) for i in range(n)]


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=_stream(_sse(WORDS)))


def test_a_successful_stream_is_measured() -> None:
    runner = _runner(_ok)
    [record] = asyncio.run(runner.run(_jobs()))
    assert record.ok and record.status == 200 and record.attempts == 1
    assert record.output_tokens == 3 and record.output_tokens_api == 3 and record.output_tokens_local == 3
    assert record.tokens_source == "api" and record.input_tokens_api == 10
    assert record.ttfb_s is not None and record.ttft_s is not None and record.e2e_s is not None
    assert 0 <= record.ttfb_s <= record.ttft_s <= record.e2e_s
    assert len(record.itl_s) == 2
    assert record.tpot_s == pytest.approx((record.e2e_s - record.ttft_s) / 2)


def test_without_usage_the_local_count_is_used_and_flagged() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_stream(_sse(WORDS, usage=False)))

    [record] = asyncio.run(_runner(handler).run(_jobs()))
    assert record.ok and record.output_tokens == 3 and record.tokens_source == "local"


def test_429_is_retried_after_retry_after() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"retry-after": "0"}, json={"error": {"message": "slow down"}})
        return _ok(request)

    [record] = asyncio.run(_runner(handler).run(_jobs()))
    assert record.ok and record.attempts == 2 and record.throttled_s == 0.0


def test_persistent_500_fails_after_the_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, headers={"retry-after": "0"}, json={"error": {"message": "boom"}})

    [record] = asyncio.run(_runner(handler, max_retries=2).run(_jobs()))
    assert not record.ok and record.attempts == 3
    assert (record.error_kind, record.error, record.status) == ("http_500", "boom", 500)


@pytest.mark.parametrize(
    ("chunks", "drop_after", "kind"),
    [
        (_sse(WORDS, broken=True), None, "malformed"),
        (_sse(WORDS, done=False), None, "incomplete"),
        (_sse(WORDS), 2, "dropped"),
        (_sse([]), None, "empty"),
    ],
)
def test_stream_faults_are_classified(chunks: list[bytes], drop_after: int | None, kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_stream(chunks, drop_after))

    [record] = asyncio.run(_runner(handler).run(_jobs()))
    assert not record.ok and record.error_kind == kind


def test_auth_failure_stops_the_run_with_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "Incorrect API key provided: sk-SECRET"}})

    with pytest.raises(EndpointError) as err:
        asyncio.run(_runner(handler, key="sk-SECRET").run(_jobs(3)))
    assert "the endpoint refused the API key (HTTP 401" in err.value.message
    assert "sk-SECRET" not in err.value.message and "***" in err.value.message
    assert err.value.hint == "check OPENAI_API_KEY, --endpoint and --model."


def test_connection_refused_before_any_success_is_fatal() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(EndpointError, match=r"cannot connect to http://127\.0\.0\.1:1/v1"):
        asyncio.run(_runner(handler, max_retries=0).run(_jobs()))


def test_keys_are_sent_but_never_recorded() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(400, json={"error": {"message": "bad request for key sk-SECRET"}})

    records = asyncio.run(_runner(handler, key="sk-SECRET").run(_jobs(2)))
    assert seen == ["Bearer sk-SECRET", "Bearer sk-SECRET"]
    assert all("sk-SECRET" not in json.dumps(r.to_json()) for r in records)
    assert records[0].error == "bad request for key ***"


def test_open_loop_schedules_and_warmups_are_flagged() -> None:
    runner = _runner(_ok, rate=200.0, arrival="constant", concurrency=None)
    records = asyncio.run(runner.run(_jobs(5, warmup=1)))
    warm = [r for r in records if r.warmup]
    measured = sorted((r for r in records if not r.warmup), key=lambda r: r.scheduled_s)
    assert len(warm) == 1 and len(measured) == 4
    assert [round(r.scheduled_s, 3) for r in measured] == [0.005, 0.01, 0.015, 0.02]


def test_retry_after_forms() -> None:
    assert _retry_after("3") == 3.0
    assert _retry_after("0.5") == 0.5
    assert _retry_after(None) is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("soon") is None
