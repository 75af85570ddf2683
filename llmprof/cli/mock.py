"""``llmprof mock serve``: the built-in mock endpoint, for your own tests and other tools."""

from __future__ import annotations

from typing import Annotated

import typer

from llmprof.cli import helptext
from llmprof.cli.app import mock_app
from llmprof.talk import Talk


@mock_app.command("serve", cls=helptext.Command, epilog=helptext.MOCK_SERVE)
def mock_serve(
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Interface to bind. Keep 127.0.0.1 unless you mean it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, metavar="PORT", help="Port; 0 picks a free one.")] = 8000,
    preset: Annotated[
        str,
        typer.Option(metavar="NAME", help="Latency preset: gpt-3.5-turbo-2023 (the reference table), fast, instant."),
    ] = "gpt-3.5-turbo-2023",
    ttft_ms: Annotated[float | None, typer.Option(min=0.0, metavar="MS", help="Base time to first token.")] = None,
    itl_ms: Annotated[float | None, typer.Option(min=0.0, metavar="MS", help="Time between output tokens.")] = None,
    prefill_ms_per_1k: Annotated[
        float | None, typer.Option(min=0.0, metavar="MS", help="TTFT added per 1K prompt tokens.")
    ] = None,
    jitter: Annotated[
        float | None, typer.Option(min=0.0, metavar="SIGMA", help="Lognormal sigma of latency noise; 0 = exact.")
    ] = None,
    error_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, metavar="SHARE", help="Fraction of requests answered 500.")
    ] = 0.0,
    rate_limit_rpm: Annotated[
        int | None, typer.Option(min=1, metavar="N", help="Answer 429 + Retry-After beyond N requests/minute.")
    ] = None,
    stall_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, metavar="SHARE", help="Fraction of streams that stall mid-way.")
    ] = 0.0,
    stall_s: Annotated[float, typer.Option(min=0.0, metavar="S", help="How long a stall lasts.")] = 5.0,
    drop_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, metavar="SHARE", help="Fraction of streams cut mid-way.")
    ] = 0.0,
    malformed_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, metavar="SHARE", help="Fraction of streams with a malformed event.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(metavar="N", help="Seed for jitter and faults.")] = 0,
    request_timeout_s: Annotated[
        float,
        typer.Option(
            min=0.01, metavar="S", help="Drop a connection that has not sent a whole request within S seconds."
        ),
    ] = 10.0,
    max_concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="K",
            help="At most K generations at once; the rest wait in a FIFO queue (the wait shows in TTFT). "
            "Default: no limit.",
        ),
    ] = None,
    max_queue: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="With --max-concurrency: answer 429 + Retry-After when N requests are already waiting.",
        ),
    ] = None,
    reasoning_tokens: Annotated[
        int,
        typer.Option(
            min=0,
            max=1_000_000,
            metavar="N",
            help="Generate N reasoning tokens before each answer, in each provider's format "
            "(max_tokens still sets the answer's length).",
        ),
    ] = 0,
    prompt_cache: Annotated[
        bool,
        typer.Option(
            help="Cache prompt prefixes as OpenAI does (1,024+ tokens, 128-token blocks): cached tokens skip "
            "prefill and are reported in usage.",
        ),
    ] = False,
) -> None:
    """Serve OpenAI, Anthropic and Gemini wire formats with a latency model and fault injection."""
    from llmprof.mock import MockSettings
    from llmprof.mock.server import serve

    settings = MockSettings(
        preset=preset,
        ttft_ms=ttft_ms,
        itl_ms=itl_ms,
        prefill_ms_per_1k=prefill_ms_per_1k,
        jitter=jitter,
        error_rate=error_rate,
        rate_limit_rpm=rate_limit_rpm,
        stall_rate=stall_rate,
        stall_s=stall_s,
        drop_rate=drop_rate,
        malformed_rate=malformed_rate,
        seed=seed,
        request_timeout_s=request_timeout_s,
        max_concurrency=max_concurrency,
        max_queue=max_queue,
        reasoning_tokens=reasoning_tokens,
        prompt_cache=prompt_cache,
    )
    serve(settings, host=host, port=port, announce=typer.echo, warn=Talk().warn)
