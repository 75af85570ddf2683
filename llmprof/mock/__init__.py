"""The built-in mock endpoint: a real HTTP server (uvicorn) speaking OpenAI, Anthropic and Gemini
wire formats, with a seeded latency model and fault injection. Free, keyless, loopback-only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class MockSettings:
    """How the mock behaves. ``None`` latency fields take the preset's value."""

    preset: str = "gpt-3.5-turbo-2023"
    ttft_ms: float | None = None  # base time to first token
    itl_ms: float | None = None  # inter-token latency
    prefill_ms_per_1k: float | None = None  # added to TTFT per 1,000 uncached prompt tokens
    jitter: float | None = None  # sigma of median-preserving lognormal noise; 0 = deterministic
    error_rate: float = 0.0  # fraction of requests answered with HTTP 500
    rate_limit_rpm: int | None = None  # beyond this many requests per rolling minute: 429 + Retry-After
    stall_rate: float = 0.0  # fraction of streams that pause mid-stream for stall_s
    stall_s: float = 5.0
    drop_rate: float = 0.0  # fraction of streams whose connection is cut mid-stream
    malformed_rate: float = 0.0  # fraction of streams that send a malformed SSE event
    seed: int = 0
    request_timeout_s: float = 10.0  # a connection that does not finish sending a request by then is dropped
    max_concurrency: int | None = None  # at most this many generations at once; the rest wait in a FIFO queue
    max_queue: int | None = None  # at most this many waiting (with max_concurrency); beyond: 429 + Retry-After
    reasoning_tokens: int = 0  # reasoning tokens generated before each answer, in each provider's format
    prompt_cache: bool = False  # remember prompt prefixes (OpenAI-style): cached tokens skip prefill
