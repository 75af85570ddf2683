"""How many prompt tokens a request bills on a model, part by part, each with its exactness.

* ``text``: every text the request carries, with the model's tokenizer (``exact`` for OpenAI's
  encodings, ``approx`` for vendors whose tokenizer is not public).
* ``framing``: OpenAI's chat framing, 3 tokens per message, +1 per ``name``, +3 to prime the reply
  (the OpenAI cookbook, API-verified); a stand-in for other APIs.
* ``tools``: OpenAI's published rule for function definitions (the cookbook's
  ``num_tokens_for_tools``: API-verified 101 tokens on gpt-4o, 105 on gpt-4 for its example); for
  Claude, the JSON of the definitions plus the tool-use system prompt Anthropic documents per
  model; for other APIs, the JSON of the definitions.
* ``tool_calls``: assistant tool calls and tool results (names and arguments as text): no
  provider publishes this rule, so ``approx``.
* ``images``: the provider's rule (see :mod:`llmprof.images`), from each image's own size.
* ``schema``: a structured-output schema, as compact JSON (no published rule: ``approx``).

Parts that are billed but cannot be counted make the whole figure a ``lower-bound``.

Text is counted with the model's own tokenizer where llmprof has it (OpenAI's bundled encodings;
open-weight vendors' files with the ``tokenizers`` extra: see :mod:`llmprof.vendor_tokenizers`),
else with ``o200k_base`` times a sourced calibration factor, labelled ``approx`` with its range.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from llmprof import images
from llmprof.images import Size
from llmprof.pricing import ModelPrice
from llmprof.requests import Image, Request
from llmprof.tokens import ENCODINGS, REPLY_PRIMING, STAND_IN, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, count_text

Label = Literal["exact", "approx", "lower-bound"]
PARTS = ("text", "framing", "tools", "tool_calls", "images", "schema")
_RANK = {"exact": 0, "approx": 1, "lower-bound": 2}

# The cookbook's constants (num_tokens_for_tools): only the per-function start differs by encoding.
FUNC_INIT = {"o200k_base": 7, "cl100k_base": 10}
PROP_INIT, PROP_KEY, ENUM_INIT, ENUM_ITEM, FUNC_END = 3, 3, -3, 3, 12

# Anthropic's tool-use system prompt, by model: (tool_choice auto or none, any or tool).
# "Tool use with Claude", Pricing (newest table); the first matching prefix wins.
CLAUDE_TOOL_PROMPT = (
    ("claude-opus-5", (286, 406)),
    ("claude-opus-4-8", (290, 410)),
    ("claude-opus-4-7", (675, 804)),
    ("claude-opus-4-6", (497, 589)),
    ("claude-opus-4-5", (496, 588)),
    ("claude-opus-4", (313, 315)),
    ("claude-sonnet-5", (354, 474)),
    ("claude-sonnet-4-6", (497, 589)),
    ("claude-sonnet-4-5", (496, 588)),
    ("claude-sonnet-4", (313, 315)),
    ("claude-haiku-4-5", (496, 588)),
    ("claude-3-5-haiku", (264, 355)),
    ("claude-haiku-3-5", (264, 355)),
    ("claude-3", (346, 313)),
    ("claude", (496, 588)),  # a Claude the table does not list: the common current figure
)
# Claude models that take large images (Vision docs): 2,576 px on the long edge, 4,784 tokens.
CLAUDE_LARGE_IMAGES = ("claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-fable", "claude-mythos")


@dataclass
class PartCount:
    tokens: int = 0
    count: Label = "exact"
    notes: list[str] = field(default_factory=list)

    def add(self, tokens: int, count: Label, note: str | None = None) -> None:
        self.tokens += tokens
        self.count = worst(self.count, count)
        if note and note not in self.notes:
            self.notes.append(note)


@dataclass(frozen=True)
class TextCounter:
    """How a model's text is counted: with which tokenizer, how exactly, within what range."""

    count: Callable[[str], int]
    label: Label
    method: str  # "o200k_base", "llama3", "o200k_base x calibration claude-3"
    spread: float = 0.0  # the count is within this share either side (calibrated approximations)
    note: str | None = None


@functools.cache
def text_counter(model: str, tokenizer: str) -> TextCounter:
    """The best counter llmprof has for ``model``: its own tokenizer (exact), a vendor file from the
    ``tokenizers`` extra (exact, or approx where the vendor's mapping is assumed), a calibrated
    factor over ``o200k_base`` (approx, with its range), or ``o200k_base`` alone (approx)."""
    if tokenizer in ENCODINGS:
        return TextCounter(lambda text: count_text(text, tokenizer), "exact", tokenizer)
    from llmprof import vendor_tokenizers as vendor

    found = vendor.family_for_model(model)
    missing = None
    if found is not None:
        family, basis = found
        if vendor.available(family):
            note = None if basis == "vendor" else f"{model} is assumed to use the {family} tokenizer (same vendor)"
            return TextCounter(
                lambda text: vendor.count_text(text, family),
                "exact" if basis == "vendor" else "approx",
                family,
                note=note,
            )
        missing = f"its tokenizer ({family}) comes with {vendor.INSTALL_HINT}"
    calibration = vendor.calibration_for_model(model)
    if calibration is not None:

        def calibrated(text: str) -> int:
            base = count_text(text, STAND_IN)
            return round(base * calibration.factor(vendor.non_latin_share(text)).point) if base else 0

        note = f"{STAND_IN} x {calibration.latin.point:.2f} for {calibration.name} ({calibration.basis})"
        return TextCounter(calibrated, "approx", f"{STAND_IN} x {calibration.name}", calibration.spread, note)
    if missing:
        note = f"{model}: counted with {STAND_IN}; {missing}"
    else:
        note = f"{model}'s tokenizer is not public: counted with {STAND_IN}"
    return TextCounter(lambda text: count_text(text, STAND_IN), "approx", STAND_IN, note=note)


def count_label(model: ModelPrice) -> str:
    """How exactly llmprof counts ``model``'s text here: exact, approx ±N% or approx."""
    counter = text_counter(model.name, model.tokenizer)
    return f"approx ±{round(counter.spread * 100)}%" if counter.spread else counter.label


@dataclass
class RequestCount:
    parts: dict[str, PartCount] = field(default_factory=dict)
    uncounted: list[str] = field(default_factory=list)
    method: str = ""  # how the text was counted (see TextCounter)
    spread: float = 0.0
    note: str | None = None  # why the text count is not exact, when it is not

    @property
    def total(self) -> int:
        return sum(p.tokens for p in self.parts.values())

    @property
    def count(self) -> Label:
        label: Label = "exact"
        for part in self.parts.values():
            label = worst(label, part.count)
        return "lower-bound" if self.uncounted else label

    def part(self, name: str) -> PartCount:
        return self.parts.setdefault(name, PartCount())


def worst(a: Label, b: Label) -> Label:
    return a if _RANK[a] >= _RANK[b] else b


def count_request(request: Request, model: ModelPrice, image_size: Size | None = None) -> RequestCount:
    """The prompt tokens ``request`` bills on ``model``, part by part."""
    counter = text_counter(model.name, model.tokenizer)
    tokens, exactness = counter.count, counter.label
    result = RequestCount(
        uncounted=list(request.uncounted), method=counter.method, spread=counter.spread, note=counter.note
    )
    result.part("text").add(sum(tokens(t) for t in request.texts), exactness)
    if request.chat:
        framing = TOKENS_PER_MESSAGE * request.messages + TOKENS_PER_NAME * request.names + REPLY_PRIMING
        published = request.shape == "openai-chat" and exactness == "exact"
        result.part("framing").add(framing, "exact" if published else "approx")
    if request.tools:
        _tools(request, model, tokens, result.part("tools"))
    if request.tool_calls:
        result.part("tool_calls").add(
            sum(tokens(t) for t in request.tool_calls), "approx", "no provider publishes how tool calls are framed"
        )
    for image in request.images:
        _image(image, model, image_size, result)
    if request.schema is not None:
        schema = json.dumps(request.schema, separators=(",", ":"), ensure_ascii=False)
        result.part("schema").add(tokens(schema), "approx", "no provider publishes how a response schema is billed")
    return result


def _tools(request: Request, model: ModelPrice, tokens: Callable[[str], int], part: PartCount) -> None:
    if model.tokenizer in FUNC_INIT:
        total, nested = _openai_tools(request.tools, model.tokenizer, tokens)
        note = "nested parameters are not in the published rule: counted at their top level" if nested else None
        part.add(total, "approx" if nested else "exact", note)
        return
    definitions = tokens(json.dumps(request.tools, separators=(",", ":"), ensure_ascii=False))
    if model.provider == "anthropic":
        auto, forced = next(v for prefix, v in CLAUDE_TOOL_PROMPT if model.name.startswith(prefix))
        overhead = forced if request.tool_choice in ("any", "tool") else auto
        part.add(definitions + overhead, "approx", f"the definitions plus Claude's tool-use system prompt ({overhead})")
    else:
        part.add(definitions, "approx", "the definitions as JSON: this provider publishes no rule")


def _openai_tools(tools: list[dict[str, Any]], encoding: str, tokens: Callable[[str], int]) -> tuple[int, bool]:
    """The cookbook's num_tokens_for_tools; also whether a parameter nests (which it ignores)."""
    total, nested = 0, False
    for tool in tools:
        total += FUNC_INIT[encoding]
        description = tool["description"].removesuffix(".")
        total += tokens(f"{tool['name']}:{description}")
        properties = tool["parameters"].get("properties") or {}
        if isinstance(properties, dict) and properties:
            total += PROP_INIT
            for key, prop in properties.items():
                prop = prop if isinstance(prop, dict) else {}
                total += PROP_KEY
                enum = prop.get("enum")
                if isinstance(enum, list):
                    total += ENUM_INIT + sum(ENUM_ITEM + tokens(str(item)) for item in enum)
                kind = prop.get("type", "")
                nested |= kind in ("object", "array") and any(k in prop for k in ("properties", "items"))
                pdesc = str(prop.get("description", "")).removesuffix(".")
                total += tokens(f"{key}:{kind}:{pdesc}")
    return total + (FUNC_END if tools else 0), nested


def _image(image: Image, model: ModelPrice, default: Size | None, result: RequestCount) -> None:
    size = image.size
    label: Label = "exact"
    if size is None:
        if default is None:
            what = "a remote image" if image.source == "url" else "an image whose size cannot be read"
            result.uncounted.append(f"{image.where}: {what} (pass --image-size WxH to count it)")
            return
        size, label = default, "approx"
    part = result.part("images")
    if model.provider == "anthropic":
        large = any(model.name.startswith(p) for p in CLAUDE_LARGE_IMAGES)
        part.add(images.anthropic(size, *((2576, 4784) if large else (1568, 1568))), label)
    elif model.provider == "google":
        generation = model.name.removeprefix("gemini-").split(".")[0].split("-")[0]
        if generation.isdigit() and int(generation) >= 3:
            part.add(images.GEMINI_MEDIA["unspecified"], "approx", "Gemini 3+: the default media-resolution budget")
        else:
            part.add(images.gemini_tiles(size), "approx", "Gemini's tile rule is documented as approximate")
    elif model.images is not None and model.images.rule == "patches":
        part.add(images.openai_patches(size, model.images.multiplier), label)
    else:
        rule = model.images
        base, tile = (rule.base, rule.tile) if rule is not None else (85, 170)
        detail = "high" if image.detail == "auto" else image.detail
        if image.detail == "auto":
            label = "approx"
            part.notes.append("detail auto is priced as high, the most it can cost")
        if rule is None:
            label = "approx"
            note = "no image rule in the price table for this model: OpenAI's 85 + 170 per tile"
            if note not in part.notes:
                part.notes.append(note)
        part.add(images.openai_tiles(size, detail, base, tile), label)
