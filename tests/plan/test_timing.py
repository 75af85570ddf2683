"""Which limit binds a job, and the 429 pressure: exact seconds."""

from __future__ import annotations

from decimal import Decimal

from llmprof.plan.timing import daily_load, job_timing
from llmprof.plan.workload import Limits, long_seconds, seconds_text


def test_rpm_binds_without_a_latency() -> None:
    timing = job_timing(10_000, 7_000_000, None, None, Limits(rpm=50))
    assert timing.seconds == Decimal(12_000)
    assert timing.verdict() == "RPM binds: 10,000 requests at 50 a minute take at least 12,000 s (200 min = 3 h 20 min)"
    assert timing.pressure == ["no latency known: send at most the limits' rate, or expect 429s"]


def test_latency_binds_one_at_a_time() -> None:
    timing = job_timing(10_000, 7_000_000, Decimal("14000.0"), Decimal("1.4"), Limits(rpm=50, concurrency=1))
    assert [(b.name, b.seconds) for b in timing.bounds] == [("latency", Decimal("14000.0")), ("rpm", Decimal(12_000))]
    assert timing.verdict() == (
        "latency binds: 10,000 requests × 1.4 s one at a time (concurrency 1) = 14,000 s (233.3 min = 3 h 53 min 20 s)"
    )
    assert timing.pressure == ["RPM: at most 43 requests/min, 86% of the 50 limit: no 429 pressure"]


def test_concurrency_and_tpm() -> None:
    timing = job_timing(1_000, 2_000_000, Decimal(2000), Decimal(2), Limits(concurrency=8, tpm=100_000, rpm=500))
    assert [(b.name, b.seconds) for b in timing.bounds] == [
        ("concurrency", Decimal(250)),
        ("rpm", Decimal(120)),
        ("tpm", Decimal(1200)),
    ]
    assert timing.binding is not None and timing.binding.name == "tpm"
    assert timing.pressure == [
        "RPM: at most 240 requests/min, 48% of the 500 limit: no 429 pressure",
        "TPM: concurrency 8 would send 480,000 tokens/min, 4.8× the 100,000 limit: pace to 100,000/min, "
        "or about 79% of attempts get 429",
    ]


def test_no_concurrency_limit_means_the_slowest_request() -> None:
    timing = job_timing(10, 7000, Decimal(14), Decimal("1.9"), Limits())
    assert timing.seconds == Decimal("1.9") and timing.binding is not None and timing.binding.name == "latency"
    assert job_timing(10, 7000, None, None, Limits()).verdict().startswith("unknown: give a latency")


def test_daily_load() -> None:
    assert daily_load(6000, 12_000_000, Limits(rpm=50, tpm=100_000)) == [
        "RPM: 6,000 requests a day average 4.2/min, 8.3% of the 50 limit (peaks not modelled)",
        "TPM: 12,000,000 tokens a day average 8,333/min, 8.3% of the 100,000 limit (peaks not modelled)",
    ]


def test_seconds_as_people_read_them() -> None:
    assert [seconds_text(Decimal(v)) for v in ("1.4", "0.123", "30", "200", "14000", "90061")] == [
        "1.4 s", "0.12 s", "30 s", "3 min 20 s", "3 h 53 min 20 s", "1 d 1 h 1 min",
    ]  # fmt: skip
    assert long_seconds(Decimal(12_000)) == "12,000 s (200 min = 3 h 20 min)"
    assert long_seconds(Decimal(90)) == "90 s (1.5 min)"
