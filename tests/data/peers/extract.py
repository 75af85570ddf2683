#!/usr/bin/env python3
"""Regenerate the peer price snapshots in this folder from the pinned peer wheels.

Dev tool, not run by the tests.  Usage:

    pip download --no-deps -d /tmp/wheels genai-prices==0.2.3 litellm==1.109.1
    python tests/data/peers/extract.py /tmp/wheels

It checks each wheel's sha256 against PEERS below before reading anything, reads the
price data straight out of the wheel (nothing is installed; genai-prices' data module
needs pydantic importable), keeps only the models listed in MAPPING (our name -> the
peer's name(s)), and writes one compact JSON file per peer:
  genai-prices-0.2.3.json, litellm-1.109.1.json

Normalisation (every rate is USD per 1M tokens, a decimal string):
  current: the rates in force on AS_OF (the table's date):
    input, output, cached_input, cache_write ({ttl: rate}; the peer's plain cache-write
    rate is filed under the model's default TTL given in MAPPING), batch_input,
    batch_output, batch_cached_input, batch_cache_write, tier_threshold ("above N":
    both peers bill the tier when the prompt has MORE than N tokens), tier_input,
    tier_output, tier_cached_input, flex_* / priority_* (OpenAI and Gemini service
    tiers), time_of_day (DeepSeek windows, genai-prices only).
  history (genai-prices only): dated periods from its start-date conditions, oldest
    first; the first period's "since" is null when the peer gives no start date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import sys
import tempfile
import types
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2026, 11, 21)

PEERS = {
    "genai-prices": {
        "version": "0.2.3",
        "wheel": "genai_prices-0.2.3-py3-none-any.whl",
        "sha256": "56976ce2b04ec206117f7d0e53f4849211a6724ab3a12119afec304eba63ee25",
    },
    "litellm": {
        "version": "1.109.1",
        "wheel": "litellm-1.109.1-cp310-abi3-manylinux_2_28_x86_64.whl",
        "sha256": "1c8b4dd671fa0cd0850aa751678704ff77e595fb1e6085b2dc3be39ee19bdaaf",
    },
}

# our name -> (default cache TTL, genai-prices [provider_id, model_id] or None, litellm keys)
MAPPING: dict[str, tuple[str | None, list[str] | None, list[str]]] = {
    # OpenAI
    "gpt-6.2-astra": ("30m", None, []),
    "gpt-6.2-sol": ("30m", None, []),
    "gpt-6.1-sol": ("30m", ["openai", "gpt-6.1-sol"], ["gpt-6.1-sol"]),
    "gpt-6.1-terra": ("30m", ["openai", "gpt-6.1-terra"], ["gpt-6.1-terra"]),
    "gpt-6-astra": ("30m", ["openai", "gpt-6-astra"], ["gpt-6-astra"]),
    "gpt-6-sol": ("30m", ["openai", "gpt-6-sol"], ["gpt-6-sol"]),
    "gpt-6-luna": ("30m", ["openai", "gpt-6-luna"], ["gpt-6-luna"]),
    "gpt-5.6-sol": ("30m", ["openai", "gpt-5.6-sol"], ["gpt-5.6-sol"]),
    "gpt-5.6-terra": ("30m", ["openai", "gpt-5.6-terra"], ["gpt-5.6-terra"]),
    "gpt-5.6-luna": ("30m", ["openai", "gpt-5.6-luna"], ["gpt-5.6-luna"]),
    "gpt-5.5": (None, ["openai", "gpt-5.5"], ["gpt-5.5"]),
    "gpt-5.5-pro": (None, ["openai", "gpt-5.5-pro"], ["gpt-5.5-pro"]),
    "gpt-5.4": (None, ["openai", "gpt-5.4"], ["gpt-5.4"]),
    "gpt-5.4-pro": (None, ["openai", "gpt-5.4-pro"], ["gpt-5.4-pro"]),
    "gpt-5.4-mini": (None, ["openai", "gpt-5.4-mini"], ["gpt-5.4-mini"]),
    "gpt-5.4-nano": (None, ["openai", "gpt-5.4-nano"], ["gpt-5.4-nano"]),
    "gpt-5.2": (None, ["openai", "gpt-5.2"], ["gpt-5.2"]),
    "gpt-5.2-pro": (None, ["openai", "gpt-5.2-pro"], ["gpt-5.2-pro"]),
    "gpt-5.1": (None, ["openai", "gpt-5.1"], ["gpt-5.1"]),
    "gpt-5": (None, ["openai", "gpt-5"], ["gpt-5"]),
    "gpt-5-pro": (None, ["openai", "gpt-5-pro"], ["gpt-5-pro"]),
    "gpt-5-mini": (None, ["openai", "gpt-5-mini"], ["gpt-5-mini"]),
    "gpt-5-nano": (None, ["openai", "gpt-5-nano"], ["gpt-5-nano"]),
    "gpt-4.1": (None, ["openai", "gpt-4.1"], ["gpt-4.1"]),
    "gpt-4.1-mini": (None, ["openai", "gpt-4.1-mini"], ["gpt-4.1-mini"]),
    "gpt-4.1-nano": (None, ["openai", "gpt-4.1-nano"], ["gpt-4.1-nano"]),
    "o1": (None, ["openai", "o1"], ["o1"]),
    "o1-pro": (None, ["openai", "o1-pro"], ["o1-pro"]),
    "o3": (None, ["openai", "o3"], ["o3"]),
    "o3-pro": (None, ["openai", "o3-pro"], ["o3-pro"]),
    "o3-mini": (None, ["openai", "o3-mini"], ["o3-mini"]),
    "o4-mini": (None, ["openai", "o4-mini"], ["o4-mini"]),
    "gpt-4o": (None, ["openai", "gpt-4o"], ["gpt-4o"]),
    "gpt-4o-mini": (None, ["openai", "gpt-4o-mini"], ["gpt-4o-mini"]),
    "gpt-4-turbo": (None, ["openai", "gpt-4-turbo"], ["gpt-4-turbo"]),
    "gpt-4": (None, ["openai", "gpt-4"], ["gpt-4"]),
    "gpt-4-32k": (None, ["openai", "gpt-4-32k"], ["gpt-4-32k"]),
    "gpt-3.5-turbo": (None, ["openai", "gpt-3.5-turbo"], ["gpt-3.5-turbo"]),
    "text-embedding-3-small": (None, ["openai", "text-embedding-3-small"], ["text-embedding-3-small"]),
    "text-embedding-3-large": (None, ["openai", "text-embedding-3-large"], ["text-embedding-3-large"]),
    "text-embedding-ada-002": (None, ["openai", "text-embedding-ada-002"], ["text-embedding-ada-002"]),
    # Anthropic
    "claude-fable-5-1": ("5m", ["anthropic", "claude-fable-5-1"], ["claude-fable-5-1"]),
    "claude-fable-5": ("5m", ["anthropic", "claude-fable-5"], ["claude-fable-5"]),
    "claude-opus-5-5": ("5m", ["anthropic", "claude-opus-5-5"], ["claude-opus-5-5"]),
    "claude-opus-5": ("5m", ["anthropic", "claude-opus-5"], ["claude-opus-5"]),
    "claude-opus-4-8": ("5m", ["anthropic", "claude-opus-4-8"], ["claude-opus-4-8"]),
    "claude-opus-4-7": ("5m", ["anthropic", "claude-opus-4-7"], ["claude-opus-4-7"]),
    "claude-opus-4-6": ("5m", ["anthropic", "claude-opus-4-6"], ["claude-opus-4-6"]),
    "claude-opus-4-5": ("5m", ["anthropic", "claude-opus-4-5"], ["claude-opus-4-5"]),
    "claude-opus-4-1": ("5m", ["anthropic", "claude-opus-4-1"], []),
    "claude-opus-4-0": ("5m", ["anthropic", "claude-opus-4-0"], []),
    "claude-sonnet-5-5": ("5m", ["anthropic", "claude-sonnet-5-5"], ["claude-sonnet-5-5"]),
    "claude-sonnet-5": ("5m", ["anthropic", "claude-sonnet-5"], ["claude-sonnet-5"]),
    "claude-sonnet-4-6": ("5m", ["anthropic", "claude-sonnet-4-6"], ["claude-sonnet-4-6"]),
    "claude-sonnet-4-5": (
        "5m",
        ["anthropic", "claude-sonnet-4-5"],
        ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929"],
    ),
    "claude-sonnet-4-0": ("5m", ["anthropic", "claude-sonnet-4-0"], []),
    "claude-3-7-sonnet": ("5m", ["anthropic", "claude-3-7-sonnet-latest"], []),
    "claude-3-5-sonnet": ("5m", ["anthropic", "claude-3-5-sonnet"], []),
    "claude-haiku-5-5": ("5m", ["anthropic", "claude-haiku-5-5"], ["claude-haiku-5-5"]),
    "claude-haiku-4-5": ("5m", ["anthropic", "claude-haiku-4-5"], ["claude-haiku-4-5", "claude-haiku-4-5-20251001"]),
    "claude-3-5-haiku": ("5m", ["anthropic", "claude-3-5-haiku-latest"], []),
    "claude-3-opus": ("5m", ["anthropic", "claude-3-opus-latest"], []),
    "claude-3-haiku": ("5m", ["anthropic", "claude-3-haiku"], []),
    # Google
    "gemini-4-argon": (None, ["google", "gemini-4-argon"], ["gemini/gemini-4-argon"]),
    "gemini-3.8-flash": (None, ["google", "gemini-3.8-flash"], ["gemini/gemini-3.8-flash"]),
    "gemini-3.7-flash": (None, ["google", "gemini-3.7-flash"], ["gemini/gemini-3.7-flash"]),
    "gemini-3.6-flash": (None, ["google", "gemini-3.6-flash"], ["gemini/gemini-3.6-flash"]),
    "gemini-3.5-flash": (None, ["google", "gemini-3.5-flash"], ["gemini/gemini-3.5-flash"]),
    "gemini-3.5-flash-lite": (None, ["google", "gemini-3.5-flash-lite"], ["gemini/gemini-3.5-flash-lite"]),
    "gemini-3.1-pro-preview": (None, ["google", "gemini-3.1-pro-preview"], ["gemini/gemini-3.1-pro-preview"]),
    "gemini-3.1-flash-lite": (None, ["google", "gemini-3.1-flash-lite"], ["gemini/gemini-3.1-flash-lite"]),
    "gemini-3-pro-preview": (None, ["google", "gemini-3-pro-preview"], ["gemini/gemini-3-pro-preview"]),
    "gemini-3-flash-preview": (None, ["google", "gemini-3-flash-preview"], ["gemini/gemini-3-flash-preview"]),
    "gemini-2.5-pro": (None, ["google", "gemini-2.5-pro"], ["gemini/gemini-2.5-pro"]),
    "gemini-2.5-flash": (None, ["google", "gemini-2.5-flash"], ["gemini/gemini-2.5-flash"]),
    "gemini-2.5-flash-lite": (None, ["google", "gemini-2.5-flash-lite"], ["gemini/gemini-2.5-flash-lite"]),
    "gemini-2.0-flash": (None, ["google", "gemini-2.0-flash"], ["gemini/gemini-2.0-flash"]),
    "gemini-2.0-flash-lite": (None, ["google", "gemini-2.0-flash-lite"], ["gemini/gemini-2.0-flash-lite"]),
    "gemini-1.5-pro": (None, ["google", "gemini-1.5-pro"], ["gemini/gemini-1.5-pro"]),
    "gemini-1.5-flash": (None, ["google", "gemini-1.5-flash"], ["gemini/gemini-1.5-flash"]),
    "gemini-embedding-001": (None, ["google", "gemini-embedding-001"], ["gemini/gemini-embedding-001"]),
    "gemini-embedding-2": (None, ["google", "gemini-embedding-2"], ["gemini/gemini-embedding-2"]),
    # Mistral
    "mistral-large-4": (None, ["mistral", "mistral-large-4"], ["mistral/mistral-large-4"]),
    "mistral-large-2512": (None, ["mistral", "mistral-large-2512"], ["mistral/mistral-large-2512"]),
    "mistral-medium-2604": (None, ["mistral", "mistral-medium-3-5"], ["mistral/mistral-medium-2604"]),
    "mistral-small-2603": (None, ["mistral", "mistral-small-2603"], ["mistral/mistral-small-2603"]),
    "codestral-2508": (None, ["mistral", "codestral-2508"], ["mistral/codestral-2508"]),
    "devstral-2512": (None, ["mistral", "devstral-2512"], ["mistral/devstral-latest"]),
    "ministral-14b-2512": (None, ["mistral", "ministral-14b-2512"], ["mistral/ministral-14b-2512"]),
    "ministral-8b-2512": (None, ["mistral", "ministral-8b-2512"], ["mistral/ministral-8b-2512"]),
    "ministral-3b-2512": (None, ["mistral", "ministral-3b-2512"], ["mistral/ministral-3b-2512"]),
    "mistral-embed": (None, ["mistral", "mistral-embed"], ["mistral/mistral-embed"]),
    "codestral-embed-2505": (None, ["mistral", "codestral-embed-2505"], ["mistral/codestral-embed-2505"]),
    # DeepSeek
    "deepseek-flash": (None, ["deepseek", "deepseek-flash"], ["deepseek/deepseek-flash"]),
    "deepseek-v4-pro": (None, ["deepseek", "deepseek-v4-pro"], ["deepseek/deepseek-v4-pro"]),
    "deepseek-chat": (None, ["deepseek", "deepseek-chat"], ["deepseek/deepseek-chat"]),
    "deepseek-reasoner": (None, ["deepseek", "deepseek-reasoner"], ["deepseek/deepseek-reasoner"]),
    # xAI
    "grok-4.7": (None, ["x-ai", "grok-4.7"], ["xai/grok-4.7"]),
    "grok-4.6": (None, ["x-ai", "grok-4.6"], ["xai/grok-4.6"]),
    "grok-4.5": (None, ["x-ai", "grok-4.5"], ["xai/grok-4.5"]),
    "grok-4.3": (None, ["x-ai", "grok-4.3"], ["xai/grok-4.3"]),
    "grok-4.20": (None, ["x-ai", "grok-4.20"], ["xai/grok-4.20"]),
    "grok-build-0.1": (None, ["x-ai", "grok-build-0.1"], ["xai/grok-build-0.1"]),
    "grok-code-fast-1": (None, ["x-ai", "grok-code-fast-1"], ["xai/grok-code-fast-1"]),
    "grok-4-1-fast-reasoning": (None, ["x-ai", "grok-4-1-fast-reasoning"], []),
    "grok-4-1-fast-non-reasoning": (None, ["x-ai", "grok-4-1-fast-non-reasoning"], []),
    "grok-4-0709": (None, ["x-ai", "grok-4-0709"], []),
    "grok-3": (None, ["x-ai", "grok-3"], []),
    "grok-3-mini": (None, ["x-ai", "grok-3-mini"], []),
    # Together AI
    "llama-3.3-70b-instruct-turbo": (
        None,
        ["together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"],
        ["together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"],
    ),
    "llama-3.1-405b-instruct": (None, None, ["together_ai/meta-llama/Llama-3.1-405B-Instruct"]),
    "llama-3.2-3b-instruct": (None, None, ["together_ai/meta-llama/Llama-3.2-3B-Instruct"]),
    "llama-3.2-1b-instruct": (None, None, ["together_ai/meta-llama/Llama-3.2-1B-Instruct"]),
    # Moonshot AI
    "kimi-k3": ("5m", ["moonshotai", "kimi-k3"], ["moonshot/kimi-k3"]),
    "kimi-k3.1-pro": ("5m", ["moonshotai", "kimi-k3.1-pro"], ["moonshot/kimi-k3.1-pro"]),
    "kimi-k2.7-code": (None, ["moonshotai", "kimi-k2.7-code"], ["moonshot/kimi-k2.7-code"]),
    "kimi-k2.6": (None, ["moonshotai", "kimi-k2.6"], ["moonshot/kimi-k2.6"]),
    "kimi-k2.5": (None, ["moonshotai", "kimi-k2.5"], ["moonshot/kimi-k2.5"]),
    # Zhipu / Z.ai
    "glm-5.3": (None, ["zai", "GLM-5.3"], ["zai/glm-5.3"]),
    "glm-5.3-flash": (None, ["zai", "GLM-5.3-Flash"], ["zai/glm-5.3-flash"]),
    "glm-5.2": (None, ["zai", "GLM-5.2"], ["zai/glm-5.2"]),
    "glm-5.1": (None, ["zai", "GLM-5.1"], ["zai/glm-5.1"]),
    "glm-5": (None, ["zai", "GLM-5"], ["zai/glm-5"]),
    "glm-4.7": (None, ["zai", "GLM-4.7"], ["zai/glm-4.7"]),
    # Alibaba (Model Studio, international)
    "qwen3.8-max": (None, None, ["dashscope/qwen3.8-max"]),
    "qwen3.8-flash": (None, None, ["dashscope/qwen3.8-flash"]),
    "qwen3.7-max": (None, None, ["dashscope/qwen3.7-max"]),
    # MiniMax
    "MiniMax-M3": (None, ["minimax", "minimax-m3"], ["minimax/MiniMax-M3"]),
    "MiniMax-M3.1-Flash": (None, ["minimax", "MiniMax-M3.1-Flash"], []),
    "MiniMax-M2.7": (None, ["minimax", "MiniMax-M2.7"], []),
    # Voyage AI
    "voyage-4-large": (None, ["voyageai", "voyage-4-large"], ["voyage/voyage-4-large"]),
    "voyage-4": (None, ["voyageai", "voyage-4"], ["voyage/voyage-4"]),
    "voyage-4-lite": (None, ["voyageai", "voyage-4-lite"], ["voyage/voyage-4-lite"]),
    "voyage-code-4": (None, ["voyageai", "voyage-code-4"], ["voyage/voyage-code-4"]),
    "voyage-3.5": (None, ["voyageai", "voyage-3.5"], ["voyage/voyage-3.5"]),
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dec(value: Any) -> str | None:
    """A peer number as a plain decimal string; per-token floats become per-1M."""
    if value is None:
        return None
    d = Decimal(str(value))
    return format(d.normalize(), "f") if d != d.to_integral() else str(d.quantize(Decimal(1)))


def per_m(value: Any) -> str | None:
    if value is None or value == 0:
        return None
    d = (Decimal(repr(value)) * 1_000_000).normalize()
    return format(d, "f")


def clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, {}, [])}


# ---------------------------------------------------------------- genai-prices
def load_genai(wheel: Path, tmp: Path) -> tuple[Any, Any]:
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp / "genai")
    sys.modules.setdefault("httpx2", types.ModuleType("httpx2"))  # imported by its auto-updater only
    sys.path.insert(0, str(tmp / "genai"))
    data = importlib.import_module("genai_prices.data")
    t = importlib.import_module("genai_prices.types")
    return data.providers, t


def genai_rates(mp: Any, t: Any, ttl: str | None) -> dict[str, Any]:
    """Flatten one genai-prices ModelPrice into our field names."""
    out: dict[str, Any] = {}
    tier: dict[str, Any] = {}

    def take(attr: str, field: str) -> None:
        v = getattr(mp, attr, None)
        if v is None:
            return
        if isinstance(v, t.TieredPrices):
            out[field] = dec(v.base)
            if v.tiers:
                tier.setdefault("tier_threshold", f"above {v.tiers[0].start}")
                tier["tier_" + field] = dec(v.tiers[0].price)
        else:
            out[field] = dec(v)

    take("input_mtok", "input")
    take("output_mtok", "output")
    take("cache_read_mtok", "cached_input")
    cw: dict[str, Any] = {}
    for attr, key in (("cache_write_mtok", ttl or "default"), ("cache_write_1h_mtok", "1h")):
        v = getattr(mp, attr, None)
        if v is not None:
            cw[key] = dec(v.base if isinstance(v, t.TieredPrices) else v)
    if cw:
        out["cache_write"] = cw
    out.update(tier)
    return out


def genai_extract(providers: Any, t: Any) -> dict[str, Any]:
    by = {(p.id, m.id): m for p in providers for m in p.models}
    models: dict[str, Any] = {}
    for ours, (ttl, gp, _) in MAPPING.items():
        if not gp:
            continue
        m = by.get((gp[0], gp[1]))
        if m is None:
            raise SystemExit(f"genai-prices has no {gp}")
        entry: dict[str, Any] = {"peer_names": ["/".join(gp)]}
        prices = m.prices if isinstance(m.prices, list) else [t.ConditionalPrice(prices=m.prices)]
        dated: list[tuple[Any, dict[str, Any]]] = []
        tod: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        for cp in prices:
            c = cp.constraint
            if isinstance(c, t.TimeOfDateConstraint):
                tod.append({"utc": f"{c.start_time:%H:%M}-{c.end_time:%H:%M}", **genai_rates(cp.prices, t, ttl)})
            else:
                since = c.start_date if isinstance(c, t.StartDateConstraint) else None
                dated.append((since, genai_rates(cp.prices, t, ttl)))
        dated.sort(key=lambda p: p[0] or dt.date.min)
        for since, rates in dated:
            if since is None or since <= AS_OF:
                current = dict(rates)
        cur = dict(current or {})
        # request-context variants (batch, flex, priority) in force on AS_OF
        variants: dict[str, tuple[Any, Any]] = {}
        for pv in m.price_variants or []:
            name = pv.when.get("processing") or pv.when.get("service_tier")
            if name not in ("batch", "flex", "priority"):
                continue
            start = pv.constraint.start_date if isinstance(pv.constraint, t.StartDateConstraint) else None
            if start and start > AS_OF:
                continue
            if name not in variants or (start or dt.date.min) >= (variants[name][0] or dt.date.min):
                variants[name] = (start, pv.prices)
        for name, (_, vp) in sorted(variants.items()):
            r = genai_rates(vp, t, ttl)
            for k, v in r.items():
                if k in (
                    "input",
                    "output",
                    "cached_input",
                    "cache_write",
                    "tier_input",
                    "tier_output",
                    "tier_cached_input",
                ):
                    cur[f"{name}_{k}"] = v
        if tod:
            cur["time_of_day"] = tod
        entry["current"] = clean(cur)
        if len(dated) > 1:
            entry["history"] = [
                clean({"since": s.isoformat() if s else None, **r}) | ({"since": None} if s is None else {})
                for s, r in dated
            ]
        models[ours] = entry
    return models


# ---------------------------------------------------------------- litellm
def litellm_extract(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as z:
        table = json.loads(z.read("litellm/model_prices_and_context_window_backup.json"))
    models: dict[str, Any] = {}
    for ours, (ttl, _, keys) in MAPPING.items():
        found = [k for k in keys if k in table]
        if not found:
            continue
        v = table[found[0]]
        cur: dict[str, Any] = {
            "input": per_m(v.get("input_cost_per_token")),
            "output": per_m(v.get("output_cost_per_token")),
            "cached_input": per_m(v.get("cache_read_input_token_cost")),
            "batch_input": per_m(v.get("input_cost_per_token_batches")),
            "batch_output": per_m(v.get("output_cost_per_token_batches")),
            "batch_cached_input": per_m(v.get("cache_read_input_token_cost_batches")),
            "flex_input": per_m(v.get("input_cost_per_token_flex")),
            "flex_output": per_m(v.get("output_cost_per_token_flex")),
            "flex_cached_input": per_m(v.get("cache_read_input_token_cost_flex")),
            "priority_input": per_m(v.get("input_cost_per_token_priority")),
            "priority_output": per_m(v.get("output_cost_per_token_priority")),
            "priority_cached_input": per_m(v.get("cache_read_input_token_cost_priority")),
        }
        cw: dict[str, Any] = {}
        if per_m(v.get("cache_creation_input_token_cost")):
            cw[ttl or "default"] = per_m(v.get("cache_creation_input_token_cost"))
        if per_m(v.get("cache_creation_input_token_cost_above_1hr")):
            cw["1h"] = per_m(v.get("cache_creation_input_token_cost_above_1hr"))
        if per_m(v.get("cache_creation_input_token_cost_above_12hr")):
            cw["12h"] = per_m(v.get("cache_creation_input_token_cost_above_12hr"))
        cur["cache_write"] = cw
        bcw = per_m(v.get("cache_creation_input_token_cost_batches"))
        if bcw:
            cur["batch_cache_write"] = {ttl or "default": bcw}
        for n in (100, 128, 200, 256, 272, 512):
            if v.get(f"input_cost_per_token_above_{n}k_tokens") is not None:
                cur["tier_threshold"] = f"above {n * 1000}"
                cur["tier_input"] = per_m(v.get(f"input_cost_per_token_above_{n}k_tokens"))
                cur["tier_output"] = per_m(v.get(f"output_cost_per_token_above_{n}k_tokens"))
                cur["tier_cached_input"] = per_m(v.get(f"cache_read_input_token_cost_above_{n}k_tokens"))
                break
        if v.get("off_peak_pricing"):
            op = v["off_peak_pricing"]
            cur["time_of_day"] = [
                {
                    "windows": op.get("windows"),
                    "input": per_m(op.get("input_cost_per_token")),
                    "output": per_m(op.get("output_cost_per_token")),
                    "cached_input": per_m(op.get("cache_read_input_token_cost")),
                }
            ]
        entry: dict[str, Any] = {"peer_names": found, "current": clean(cur)}
        if v.get("deprecation_date"):
            entry["deprecation_date"] = v["deprecation_date"]
        models[ours] = entry
    return models


def main(argv: list[str]) -> int:
    wheel_dir = Path(argv[1] if len(argv) > 1 else "/tmp/wheels")
    for info in PEERS.values():
        got = sha256(wheel_dir / info["wheel"])
        if got != info["sha256"]:
            raise SystemExit(f"{info['wheel']}: sha256 {got} != pinned {info['sha256']}")
    with tempfile.TemporaryDirectory() as tmp:
        providers, t = load_genai(wheel_dir / PEERS["genai-prices"]["wheel"], Path(tmp))
        outputs = {
            "genai-prices": genai_extract(providers, t),
            "litellm": litellm_extract(wheel_dir / PEERS["litellm"]["wheel"]),
        }
    for name, models in outputs.items():
        info = PEERS[name]
        doc = {
            "peer": name,
            "version": info["version"],
            "wheel": info["wheel"],
            "sha256": info["sha256"],
            "as_of": AS_OF.isoformat(),
            "unit": "USD per 1M tokens, decimal strings",
            "tier_threshold": "'above N' = the peer bills the tier when the prompt has more than N tokens",
            "mapping": {ours: models[ours]["peer_names"] for ours in MAPPING if ours in models},
            "models": models,
        }
        path = HERE / f"{name}-{info['version']}.json"
        path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
        print(f"{path.name}: {len(models)} models")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
