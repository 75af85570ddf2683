"""The runner against scripted endpoints (httpx.MockTransport) on a virtual-time event loop, so
TTFT, ITL, TPOT, backoff and open-loop schedules are checked exactly, to the nanosecond, on any
machine. Timing against a real server is measured in benchmarks/perf/bench_accuracy.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from decimal import Decimal

import httpx
import pytest

from llmprof.bench.client import Target, retry_after
from llmprof.bench.plan import Cell
from llmprof.bench.providers import get
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import Load, PlannedRequest, Runner
from llmprof.errors import EndpointError
from llmprof.pricing import Usage
from llmprof.secrets import REDACTOR, Redactor
from tests import virtual_time

WORDS = [" one", " two", " three"]
Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


def _chunk(delta: dict[str, str], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, **({"finish_reason": finish} if finish else {})}
    return f"data: {json.dumps({'choices': [choice]})}\n\n".encode()


def _usage(prompt: int = 10, completion: int = 3, **details: int) -> bytes:
    usage: dict[str, object] = {"prompt_tokens": prompt, "completion_tokens": completion}
    if "cached" in details:
        usage["prompt_tokens_details"] = {"cached_tokens": details["cached"]}
    if "reasoning" in details:
        usage["completion_tokens_details"] = {"reasoning_tokens": details["reasoning"]}
    return f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode()


def _sse(
    words: list[str], done: bool = True, usage: bytes | None = b"", broken: bool = False, finish: str | None = "length"
) -> list[bytes]:
    chunks = [_chunk({"role": "assistant", "content": ""})]
    for i, word in enumerate(words):
        chunks.append(_chunk({"content": word}, finish if i == len(words) - 1 else None))  # on the last token
        if broken:
            chunks.append(b'data: {"choices": [\n\n')
    if usage is not None:
        chunks.append(usage or _usage())
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return chunks


def streaming(
    chunks: list[bytes], *, ttfb: float = 0.0, first: float = 0.1, gap: float = 0.01, drop_after: int | None = None
) -> Handler:
    """An endpoint that answers after ``ttfb``, sends the role chunk at once, the first content
    chunk ``first`` s after the request and every later chunk ``gap`` s after the one before."""

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(ttfb)

        async def body() -> AsyncIterator[bytes]:
            for i, chunk in enumerate(chunks):
                if drop_after is not None and i == drop_after:
                    raise httpx.RemoteProtocolError("peer closed connection")
                if i == 1:
                    await asyncio.sleep(first - ttfb)
                elif i > 1:
                    await asyncio.sleep(gap)
                yield chunk

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    return handler


CELL = Cell(20, 3)


def _jobs(n: int = 1, warmup: int = 0, cell: Cell = CELL) -> list[PlannedRequest]:
    return [PlannedRequest(i, cell, "prompt", 20, warmup=i < warmup) for i in range(n)]


def bench(
    handler: Handler,
    jobs: list[PlannedRequest] | None = None,
    key: str | None = None,
    price: Callable[[Usage], Decimal | None] = lambda usage: None,
    **load: object,
) -> list[RequestRecord]:
    """Run the jobs on virtual time; the records in the order they finished."""
    target = Target(get("openai"), "http://127.0.0.1:1/v1", "http://127.0.0.1:1/v1", "m", key)
    records: list[RequestRecord] = []

    async def main(clock: Callable[[], int]) -> list[RequestRecord]:
        runner = Runner(
            target,
            Load(**load),  # type: ignore[arg-type]
            "o200k_base",
            price,
            records.append,
            clock=clock,
            transport=httpx.MockTransport(handler),
        )
        await runner.run(jobs or _jobs())
        return records

    return virtual_time.run(main)


def test_a_stream_is_timed_exactly() -> None:
    # headers at 50 ms, first token at 100 ms, then one every 10 ms; usage, then [DONE] 10 ms apart
    [record] = bench(streaming(_sse(WORDS), ttfb=0.05, first=0.1, gap=0.01))
    assert record.ok and record.status == 200 and record.attempts == 1
    assert record.ttfb_s == pytest.approx(0.050, abs=1e-9)
    assert record.ttft_s == pytest.approx(0.100, abs=1e-9)
    assert record.ttfa_s == record.ttft_s  # no reasoning: the first token is the first answer token
    assert record.itl_s == pytest.approx([0.010, 0.010], abs=1e-9)
    assert record.e2e_s == pytest.approx(0.140, abs=1e-9)  # two more chunks: usage and [DONE]
    assert record.tpot_s == pytest.approx((0.140 - 0.100) / 2, abs=1e-9)
    assert record.tokens_per_s == pytest.approx(3 / 0.140)
    assert record.finish_reason == "length"
    assert (record.output_tokens, record.output_tokens_api, record.output_tokens_local) == (3, 3, 3)
    assert (record.tokens_source, record.input_tokens_api) == ("api", 10)


def test_reasoning_comes_before_the_answer() -> None:
    chunks = [
        _chunk({"role": "assistant", "content": ""}),
        _chunk({"reasoning_content": " thinking"}),
        _chunk({"reasoning_content": " more"}),
        _chunk({"content": " answer"}, "stop"),
        _usage(completion=40, reasoning=37, cached=6),
        b"data: [DONE]\n\n",
    ]
    [record] = bench(streaming(chunks, first=0.2, gap=0.05))
    assert record.ttft_s == pytest.approx(0.20, abs=1e-9)  # the first token of any kind
    assert record.ttfa_s == pytest.approx(0.30, abs=1e-9)  # the first answer token, after reasoning
    assert (record.output_tokens, record.reasoning_tokens, record.cached_input_tokens) == (40, 37, 6)


def test_usage_buckets_reach_the_price() -> None:
    seen: list[Usage] = []

    def price(usage: Usage) -> Decimal:
        seen.append(usage)
        return Decimal("0.0125")

    chunks = _sse(WORDS, usage=_usage(prompt=100, completion=30, cached=64, reasoning=20))
    [record] = bench(streaming(chunks), price=price)
    assert seen == [Usage(input_tokens=100, cached_input_tokens=64, output_tokens=30, reasoning_tokens=20)]
    assert record.cost_usd == "0.0125"


def test_without_usage_the_local_count_is_used_and_flagged() -> None:
    [record] = bench(streaming(_sse(WORDS, usage=None, finish="stop")))
    assert record.ok and record.output_tokens == 3 and record.tokens_source == "local"


def test_a_stop_at_max_tokens_says_exactly_how_many_were_generated() -> None:
    # llama-cpp-python streams no usage at all; finish_reason "length" means max_tokens were made
    [record] = bench(streaming(_sse([" a b c d e"], usage=None, finish="length")), jobs=_jobs(cell=Cell(20, 64)))
    assert (record.output_tokens, record.tokens_source, record.output_tokens_local) == (64, "length", 5)


def test_llama_cpp_timings_give_the_count_and_the_servers_own_split() -> None:
    timings = {"prompt_n": 34, "prompt_ms": 9.25, "predicted_n": 4, "predicted_ms": 6.75}
    end = (
        f"data: {json.dumps({'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}], 'timings': timings})}\n\n"
    )
    chunks = [_chunk({"role": "assistant", "content": None}), *(_chunk({"content": w}) for w in WORDS)]  # type: ignore[dict-item]
    [record] = bench(streaming([*chunks, end.encode(), b"data: [DONE]\n\n"]))
    assert (record.output_tokens, record.tokens_source) == (4, "timings")
    assert record.server_prefill_s == pytest.approx(0.00925) and record.server_decode_s == pytest.approx(0.00675)


def test_done_without_a_finish_reason_short_of_the_asked_length_is_incomplete() -> None:
    # llama-cpp-python cuts a stream when another request waits: [DONE] after a partial answer
    [record] = bench(streaming(_sse(WORDS, finish=None)), jobs=_jobs(cell=Cell(20, 64)))
    assert (record.ok, record.error_kind) == (False, "incomplete")
    assert record.error == (
        "the stream ended ([DONE]) without a finish_reason after 3 of 64 output tokens: the answer was likely cut short"
    )


def test_done_without_a_finish_reason_at_the_asked_length_is_an_answer() -> None:
    # some OpenAI-compatible servers never send a finish_reason: a full-length answer is whole
    [record] = bench(streaming(_sse(WORDS, finish=None)))
    assert (record.ok, record.output_tokens, record.finish_reason) == (True, 3, None)


def test_a_200_with_an_empty_stream_says_what_it_likely_means() -> None:
    [record] = bench(streaming([]))
    assert (record.ok, record.error_kind) == (False, "empty")
    assert record.error is not None and record.error.startswith("the endpoint answered 200 with an empty event stream")


def test_a_stale_kept_alive_connection_is_resent_once_on_a_fresh_one() -> None:
    # llama.cpp's server closes the connection after every stream; the next request on it gets
    # nothing back. That is resent on a fresh connection, not counted as the endpoint failing.
    calls = 0
    ok = streaming(_sse(WORDS))

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return await ok(request)

    records = bench(handler, jobs=_jobs(3), concurrency=1)
    assert [r.ok for r in records] == [True, True, True] and calls == 4
    assert [r.reconnected for r in records] == [False, True, False]
    assert all(r.attempts == 1 for r in records)


def test_a_connection_dropped_before_any_response_is_said_so() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    [record] = bench(handler, max_retries=0)
    assert record.error_kind == "dropped"
    assert record.error == "connection closed before any response (RemoteProtocolError)"


def test_retry_after_is_waited_and_counted_in_latency() -> None:
    calls = 0
    ok = streaming(_sse(WORDS), first=0.1, gap=0.01)

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(429, headers={"retry-after": "2"}, json={"error": {"message": "slow down"}})
        return await ok(request)

    [record] = bench(handler)
    assert record.ok and record.attempts == 2 and record.throttled_s == 2.0
    assert record.ttft_s == pytest.approx(2.1, abs=1e-9)  # latency counts from the first attempt
    assert record.e2e_s == pytest.approx(2.14, abs=1e-9)


def test_backoff_without_retry_after_is_capped_exponential_with_jitter() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"error": {"message": "busy"}})

    [record] = bench(handler, max_retries=3, seed=7)
    assert not record.ok and record.attempts == 4 and record.error_kind == "http_503"
    # waits 0.5, 1, 2 s (base 0.5 s doubling), each times a jitter factor in [0.5, 1.5)
    assert 0.5 * 3.5 <= record.throttled_s < 1.5 * 3.5


def test_a_long_retry_after_is_not_sat_out() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "3600"}, json={"error": {"message": "quota"}})

    [record] = bench(handler)
    assert not record.ok and record.attempts == 1 and record.throttled_s == 0
    assert record.error == "quota (Retry-After 3600 s is longer than bench waits: not retried)"


def test_persistent_500_fails_after_the_retries() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, headers={"retry-after": "0"}, json={"error": {"message": "boom"}})

    [record] = bench(handler, max_retries=2)
    assert not record.ok and record.attempts == 3
    assert (record.error_kind, record.error, record.status) == ("http_500", "boom", 500)


@pytest.mark.parametrize(
    ("chunks", "drop_after", "kind"),
    [
        (_sse(WORDS, broken=True), None, "malformed"),
        (_sse(WORDS, done=False), None, "incomplete"),
        (_sse(WORDS), 2, "dropped"),
        (_sse([]), None, "empty"),
        ([b'data: {"choices": [1]}\n\n'], None, "malformed"),
        ([b'data: {"choices": [{"delta": "abc"}]}\n\n'], None, "malformed"),
        (_sse(WORDS, usage=b'data: {"choices": [], "usage": {"completion_tokens": "3"}}\n\n'), None, "malformed"),
        (_sse(WORDS, usage=b'data: {"choices": [], "usage": {"completion_tokens": -3}}\n\n'), None, "malformed"),
        (_sse(WORDS, usage=b'data: {"choices": [], "usage": [1, 2]}\n\n'), None, "malformed"),
    ],
)
def test_stream_faults_are_classified(chunks: list[bytes], drop_after: int | None, kind: str) -> None:
    [record] = bench(streaming(chunks, drop_after=drop_after))
    assert not record.ok and record.error_kind == kind


def test_an_endless_line_is_malformed_not_a_hang() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"data: " + b"x" * (4 * 1024 * 1024)
            for _ in range(8):
                yield b"x" * (4 * 1024 * 1024)

        return httpx.Response(200, content=body())

    [record] = bench(handler)
    assert record.error_kind == "malformed" and "16 MiB" in (record.error or "")


def test_auth_failure_stops_the_run_with_a_clear_error() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "Incorrect API key provided: sk-SECRET-0123"}})

    REDACTOR.add("sk-SECRET-0123")
    with pytest.raises(EndpointError) as err:
        bench(handler, jobs=_jobs(3), key="sk-SECRET-0123")
    assert "the endpoint refused the API key (HTTP 401" in err.value.message
    assert "sk-SECRET" not in err.value.message and "***" in err.value.message
    assert err.value.hint == "check OPENAI_API_KEY, --endpoint and --model."


def test_connection_refused_before_any_success_is_fatal() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(EndpointError, match=r"cannot connect to http://127\.0\.0\.1:1/v1"):
        bench(handler, max_retries=0)


def test_keys_are_sent_but_never_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("llmprof.secrets.REDACTOR", Redactor())
    from llmprof import secrets

    secrets.register("sk-SECRET-4567")
    seen = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(400, json={"error": {"message": "bad request for key sk-SECRET-4567"}})

    records = bench(handler, jobs=_jobs(2), key="sk-SECRET-4567")
    assert seen == ["Bearer sk-SECRET-4567", "Bearer sk-SECRET-4567"]
    assert all("SECRET" not in json.dumps(r.to_json()) for r in records)
    assert records[0].error == "bad request for key ***"


def test_open_loop_counts_from_the_schedule() -> None:
    # 10 requests/s, constant arrivals, each takes 0.5 s to finish: with no cap, every request
    # starts on time, so latency is the endpoint's own.
    records = bench(
        streaming(_sse(WORDS), first=0.46, gap=0.01), jobs=_jobs(5), rate=10.0, arrival="constant", concurrency=None
    )
    measured = sorted(records, key=lambda r: r.scheduled_s)
    assert [r.scheduled_s for r in measured] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert all(r.e2e_s == pytest.approx(0.5, abs=1e-9) for r in measured)


def test_open_loop_behind_schedule_shows_the_queueing_it_caused() -> None:
    # The same schedule, but one request in flight at a time: each waits for the one before,
    # and that wait is latency (no coordinated omission); sent_s shows when each really left.
    records = bench(
        streaming(_sse(WORDS), first=0.46, gap=0.01), jobs=_jobs(4), rate=10.0, arrival="constant", concurrency=1
    )
    measured = sorted(records, key=lambda r: r.scheduled_s)
    assert [r.e2e_s for r in measured] == pytest.approx([0.5, 0.9, 1.3, 1.7], abs=1e-9)
    assert [r.sent_s for r in measured] == pytest.approx([0.1, 0.6, 1.1, 1.6], abs=1e-9)


def test_closed_loop_ramp_up_staggers_the_workers() -> None:
    records = bench(streaming(_sse(WORDS), first=5.0, gap=0.0), jobs=_jobs(4), concurrency=4, ramp_up_s=2.0)
    assert sorted(r.scheduled_s for r in records) == [0.0, 0.5, 1.0, 1.5]


def test_warmups_run_first_and_are_flagged() -> None:
    records = bench(streaming(_sse(WORDS)), jobs=_jobs(5, warmup=2), concurrency=1)
    assert [r.warmup for r in records] == [True, True, False, False, False]


def test_retry_after_forms() -> None:
    assert retry_after("3") == 3.0
    assert retry_after("0.5") == 0.5
    assert retry_after(None) is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None
    assert retry_after("nan") is None
    assert retry_after("Mon, 99 Zzz 99999 99:99:99 GMT") is None
