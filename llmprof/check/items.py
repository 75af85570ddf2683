"""Today's cost of every prompt set, as items keyed by (set, prompt, model), and the baseline file.

The baseline is written deterministically (items sorted, fixed key order, two-space indent, no
timestamps) with the pricing version and table hashes, so it diffs cleanly in git.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmprof import dates, estimate
from llmprof.config import Config, PromptSet
from llmprof.errors import ConfigError, UnknownModelError
from llmprof.files import expect_document, read_json, write_atomic
from llmprof.inputs import Source
from llmprof.pricing import Mode, PriceTable
from llmprof.units import decimal_str

if TYPE_CHECKING:  # llmprof.plan imports llmprof.check.evaluate: imported where used
    from llmprof.plan.run import Plan

SCHEMA_VERSION = 1
KIND = "llmprof.baseline"
_PRECISION = Decimal("1e-12")  # USD; far below a cent, and keeps averages finite


@dataclass(frozen=True)
class Item:
    """One prompt file priced on one model: a request of it, and a day of its traffic."""

    set: str
    prompt: str  # path relative to the config's folder, with forward slashes
    model: str
    count: str  # "exact" or "approx"
    requests: int  # requests in the file (JSONL lines); 1 for a text file
    input_tokens: int  # per request (average over the file's requests)
    output_tokens: int  # per request, billed: visible + reasoning
    cost_per_request: Decimal
    requests_per_day: int | None = None
    cached_input_tokens: int = 0
    batch: bool = False
    reasoning_tokens: int = 0  # per request, part of output_tokens
    lower_bound: tuple[str, ...] = ()  # why the cost is only a floor (e.g. reasoning nothing allows for)
    prompt_sha256: str | None = None  # the file's content: tells a prompt edit from a counting change
    counting: str | None = None  # how its text was counted ("o200k_base", "o200k_base x claude-3", ...)
    basis: str = "standard"  # which rates: standard, batch API, time-of-day spread over the week...
    kind: str = "prompt"  # or "workload": a task of a workload file, its "request" one whole task

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.set, self.prompt, self.model)

    @property
    def cost_per_day(self) -> Decimal | None:
        return None if self.requests_per_day is None else self.cost_per_request * self.requests_per_day

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cost_per_request_usd"] = decimal_str(data.pop("cost_per_request"))
        data["lower_bound"] = list(self.lower_bound)
        per_day = self.cost_per_day
        data["cost_per_day_usd"] = None if per_day is None else decimal_str(per_day)
        if self.kind == "prompt":  # the default is left out, so older baselines stay byte-identical
            del data["kind"]
        return data


@dataclass(frozen=True)
class Snapshot:
    """All items at one moment, and the prices that produced them."""

    pricing_version: str
    pricing_date: str
    pricing_files: tuple[tuple[str, str], ...]  # (name, sha256)
    items: tuple[Item, ...]

    def by_key(self) -> dict[tuple[str, str, str], Item]:
        return {item.key: item for item in self.items}


def snapshot(
    config: Config, table: PriceTable, today: dt.date | None = None, plans: list[Plan] | None = None
) -> Snapshot:
    """Price every prompt set and workload of the config with today's table (``plans``: the
    config's workloads already planned, see :mod:`llmprof.check.workloads`)."""
    if not config.prompt_sets and not config.workloads:
        raise ConfigError(
            f"{config.source or 'llmprof.yaml'}: no prompt_sets",
            "add at least one prompt set (or a workload file under workloads:); see the README's 'Use in CI' section.",
        )
    items: list[Item] = []
    for prompt_set in config.prompt_sets.values():
        items.extend(_price_set(prompt_set, config, table, today or dates.today()))
    if config.workloads:
        from llmprof.check.workloads import plan_workloads, workload_items

        if plans is None:
            plans = plan_workloads(config, table, today or dates.today())
        items.extend(workload_items(plans))
    return Snapshot(
        table.version,
        table.date.isoformat(),
        tuple((f.path, f.sha256) for f in table.files),
        tuple(sorted(items, key=lambda i: i.key)),
    )


def _price_set(prompt_set: PromptSet, config: Config, table: PriceTable, today: dt.date) -> list[Item]:
    for name in prompt_set.models:
        try:
            table.resolve(name)
        except UnknownModelError as exc:
            raise ConfigError(f"{prompt_set.where_models}: unknown model {name!r}", exc.hint) from exc
    sources = _sources(prompt_set, config.root)
    digests = {source.label: _sha256(source.path) for source in sources if source.path is not None}
    settings = estimate.Settings(
        output_tokens=prompt_set.output_tokens,
        reasoning_tokens=prompt_set.reasoning_tokens,
        cached_input_tokens=prompt_set.cached_input_tokens,
        mode=Mode(batch=prompt_set.batch),
        as_of=today,
    )
    result = estimate.estimate_prompts(table, sources, list(prompt_set.models), settings)
    return [
        Item(
            set=prompt_set.name,
            prompt=row.prompt,
            model=row.model,
            count=row.count,
            requests=row.records,
            input_tokens=round(row.input_tokens / row.records) if row.records else 0,
            output_tokens=round(row.output_tokens / row.records) if row.records else 0,
            cost_per_request=row.cost_per_request.quantize(_PRECISION).normalize(),
            requests_per_day=prompt_set.requests_per_day,
            cached_input_tokens=prompt_set.cached_input_tokens,
            batch=prompt_set.batch,
            reasoning_tokens=round(row.reasoning_tokens / row.records) if row.records else 0,
            lower_bound=tuple(row.lower_bound),
            prompt_sha256=digests.get(row.prompt),
            counting=row.encoding,
            basis=row.basis,
        )
        for row in result.rows
    ]


def _sources(prompt_set: PromptSet, root: Path) -> list[Source]:
    found: dict[str, Path] = {}
    for pattern in prompt_set.paths:
        matches = sorted(p for p in root.glob(pattern) if p.is_file()) if _is_glob(pattern) else [root / pattern]
        if not matches or not matches[0].exists():
            raise ConfigError(
                f"{prompt_set.where_paths}: nothing matches {pattern!r} (relative to {root})",
                "fix the pattern, or add the prompt files.",
            )
        for path in matches:
            found.setdefault(path.relative_to(root).as_posix(), path)
    return [Source(label, path) for label, path in sorted(found.items())]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


# -- the baseline file ------------------------------------------------------------------------------


def to_document(snap: Snapshot) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "pricing": {
            "version": snap.pricing_version,
            "date": snap.pricing_date,
            "files": [{"path": name, "sha256": digest} for name, digest in snap.pricing_files],
        },
        "items": [item.to_json() for item in snap.items],
    }


def save(path: Path, snap: Snapshot) -> None:
    """Written atomically: a full disk or an interrupted write leaves the old baseline intact."""
    write_atomic(path, json.dumps(to_document(snap), indent=2, ensure_ascii=False) + "\n", "the baseline")


def load(path: Path) -> Snapshot:
    """Read a baseline, checking every item: a hand-edited or corrupted one is refused with the
    item and field that is wrong, never read into a "before" that looks real."""
    if not path.exists():
        raise ConfigError(f"no baseline at {path}", "create it with `llmprof check --update-baseline` and commit it.")
    hint = "restore it from git, or rewrite it with --update-baseline."
    document = expect_document(
        read_json(path, ConfigError, hint), path, KIND, SCHEMA_VERSION, ConfigError, "baseline", hint
    )
    pricing = document.get("pricing")
    if not isinstance(pricing, dict) or not isinstance(pricing.get("version"), str):
        raise ConfigError(f"{path}: pricing: expected an object with the table's version", hint)
    files = pricing.get("files", [])
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str) for f in files
    ):
        raise ConfigError(f"{path}: pricing.files: expected a list of {{path, sha256}}", hint)
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise ConfigError(f"{path}: items: expected a list", hint)
    items = tuple(_item(raw, f"{path}: items[{index}]", hint) for index, raw in enumerate(raw_items))
    seen: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(items):
        if item.key in seen:
            raise ConfigError(
                f"{path}: items[{index}] repeats items[{seen[item.key]}] ({item.set}: {item.prompt} on {item.model})",
                hint,
            )
        seen[item.key] = index
    return Snapshot(
        pricing["version"],
        str(pricing.get("date")),
        tuple((f["path"], f["sha256"]) for f in files),
        items,
    )


def _item(raw: Any, where: str, hint: str) -> Item:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected an object", hint)

    def text(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}.{key}: expected text, got {value!r}", hint)
        return value

    def optional_text(key: str) -> str | None:
        return text(key) if raw.get(key) is not None else None

    def count(key: str, default: int | None = None, minimum: int = 0, nullable: bool = False) -> Any:
        value = raw.get(key, default)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{where}.{key}: expected a whole number >= {minimum}, got {value!r}", hint)
        return value

    cost_text = raw.get("cost_per_request_usd")
    try:
        cost = Decimal(cost_text) if isinstance(cost_text, str) else None
    except ArithmeticError:
        cost = None
    if cost is None or not cost.is_finite() or cost < 0:
        raise ConfigError(f"{where}.cost_per_request_usd: expected a USD amount as text, got {cost_text!r}", hint)
    kind = raw.get("count", "exact")
    if kind not in ("exact", "approx", "lower-bound"):
        raise ConfigError(f"{where}.count: expected exact, approx or lower-bound, got {kind!r}", hint)
    batch = raw.get("batch", False)
    if not isinstance(batch, bool):
        raise ConfigError(f"{where}.batch: expected true or false, got {batch!r}", hint)
    kind_of = raw.get("kind", "prompt")
    if kind_of not in ("prompt", "workload"):
        raise ConfigError(f"{where}.kind: expected prompt or workload, got {kind_of!r}", hint)
    floor = raw.get("lower_bound", [])
    if not isinstance(floor, list) or not all(isinstance(reason, str) for reason in floor):
        raise ConfigError(f"{where}.lower_bound: expected a list of reasons, got {floor!r}", hint)
    return Item(
        set=text("set"),
        prompt=text("prompt"),
        model=text("model"),
        count=kind,
        requests=count("requests", 1, minimum=1),
        input_tokens=count("input_tokens"),
        output_tokens=count("output_tokens"),
        cost_per_request=cost,
        requests_per_day=count("requests_per_day", None, nullable=True),
        cached_input_tokens=count("cached_input_tokens", 0),
        batch=batch,
        reasoning_tokens=count("reasoning_tokens", 0),
        lower_bound=tuple(floor),
        prompt_sha256=optional_text("prompt_sha256"),
        counting=optional_text("counting"),
        basis=optional_text("basis") or "standard",
        kind=kind_of,
    )
