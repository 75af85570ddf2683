"""Shared fixtures: small price tables written for the test at hand, and a tiktoken cache that
lets tiktoken itself load our bundled files offline, so counts can be compared with it."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from llmprof.pricing import PriceTable, load_table

BASE_TABLE = """\
schema_version: 2
version: "test-1"
date: 2026-11-01
currency: USD
unit: 1M tokens
default_models: [mini]
models:
  mini:
    provider: openai
    tokenizer: o200k_base
    aliases: [mini-2024-07-18]
    context_window: 128000
    max_output: 16384
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2024-07-18
        input: 0.15
        output: 0.60
        cached_input: 0.075
        batch: {input: 0.075, output: 0.30}
  old:
    provider: openai
    tokenizer: cl100k_base
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2023-03-01
        input: 2.00
        output: 2.00
      - since: 2023-11-06
        input: 1.00
        output: 2.00
  long:
    provider: google
    tokenizer: gemini
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2025-06-17
        input: 1.25
        output: 10.00
        cached_input: 0.125
        batch: {input: 0.625, output: 5.00}
        tiers:
          - above: 200000
            input: 2.50
            output: 15.00
            cached_input: 0.25
  cachey:
    provider: anthropic
    tokenizer: claude
    reasoning: true
    context_window: 1000000
    source: https://example.test/pricing
    checked: 2026-11-01
    cache: {min_tokens: 1024, default_ttl: 5m}
    prices:
      - since: 2025-09-29
        input: 3.00
        output: 15.00
        cached_input: 0.30
        cache_write: {5m: 3.75, 1h: 6.00}
        batch: {input: 1.50, output: 7.50, cached_input: 0.15, cache_write: {5m: 1.875, 1h: 3.00}}
        tiers:
          - from: 200000
            input: 6.00
            output: 22.50
            cached_input: 0.60
            cache_write: {5m: 7.50, 1h: 12.00}
  peaky:
    provider: deepseek
    tokenizer: deepseek
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2026-01-01
        input: 0.28
        output: 0.42
        cached_input: 0.028
        time_of_day:
          - label: off-peak
            utc: "16:30-00:30"
            input: 0.14
            output: 0.21
            cached_input: 0.014
  flexy:
    provider: openai
    tokenizer: o200k_base
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2026-01-01
        input: 1.25
        output: 10.00
        cached_input: 0.125
        service_tiers:
          flex: {input: 0.625, output: 5.00, cached_input: 0.0625}
          priority: {input: 2.50, output: 20.00, cached_input: 0.25}
  embed:
    provider: openai
    kind: embedding
    tokenizer: cl100k_base
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2024-01-25
        input: 0.02
        batch: {input: 0.01}
"""


#: Every test runs on the day its expected figures were computed (prices and warnings depend on it).
TODAY = "2026-11-21"


_USER_CACHE = os.environ.get("XDG_CACHE_HOME")


def pytest_configure(config: pytest.Config) -> None:
    """llmprof's cache (XDG_CACHE_HOME/llmprof) for this test session only, from before collection
    (modules load the bundled table at import) and in every process the tests start: tests
    neither read nor fill the user's."""
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="llmprof-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)
    if _USER_CACHE is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = _USER_CACHE


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPROF_TODAY", TODAY)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented text to a file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def table_path(write: Callable[[str, str], Path]) -> Path:
    return write("base.yaml", BASE_TABLE)


@pytest.fixture
def table(table_path: Path) -> PriceTable:
    return load_table(base=table_path)


TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"


@pytest.fixture(scope="session")
def tiktoken_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TIKTOKEN_CACHE_DIR holding our bundled files under the names tiktoken looks for
    (sha1 of the download URL), so ``tiktoken.get_encoding`` works here with no network."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name in ("o200k_base", "cl100k_base"):
        key = hashlib.sha1(TIKTOKEN_URL.format(name=name).encode()).hexdigest()
        source = resources.files("llmprof") / "encodings" / f"{name}.tiktoken"
        with resources.as_file(source) as path:
            shutil.copyfile(path, cache / key)
    return cache
