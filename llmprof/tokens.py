"""Exact, offline token counts.

The BPE rank files for ``o200k_base`` and ``cl100k_base`` ship inside the package and are checked
against the sha256 that tiktoken itself pins in ``tiktoken_ext/openai_public.py``. Each is loaded
from its pre-parsed twin (``.ranks``, see :mod:`llmprof.ranks`), checked against the sha256
recorded here and tested to hold exactly the ``.tiktoken`` table. tiktoken's own download cache
(``TIKTOKEN_CACHE_DIR``) is never read or written, and nothing touches the network.

Models whose vendor tokenizer we do not ship (Claude, Gemini, Llama, ...) are counted with a
stand-in encoding and labelled ``approx``; see :func:`encoding_for`.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from llmprof.errors import InputError, TokenizerError

if TYPE_CHECKING:
    import tiktoken

Exactness = Literal["exact", "approx"]

ENDOFTEXT = "<|endoftext|>"
ENDOFPROMPT = "<|endofprompt|>"

# Copied from tiktoken_ext/openai_public.py; tests check they still equal tiktoken's own.
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)


@dataclass(frozen=True)
class EncodingSpec:
    name: str
    sha256: str  # of the .tiktoken file: the hash tiktoken pins
    pattern: str
    special_tokens: Mapping[str, int]
    ranks_sha256: str  # of the .ranks file, the same table pre-parsed (tests check it is)

    @property
    def filename(self) -> str:
        return f"{self.name}.tiktoken"

    @property
    def ranks_filename(self) -> str:
        return f"{self.name}.ranks"


ENCODINGS: dict[str, EncodingSpec] = {
    "o200k_base": EncodingSpec(
        "o200k_base",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
        "cec3113fd9310db156126f608eed6a159f4d933ef14d4ac4d7e157aec9f71ce2",
    ),
    "cl100k_base": EncodingSpec(
        "cl100k_base",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        {
            ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            ENDOFPROMPT: 100276,
        },
        "59080af246866c1d7eeae9e7447a8da2fc5a3fd9f1a8134a53ea5057d00337f2",
    ),
}

#: The encoding used to approximate tokenizers we do not ship (Claude, Gemini, Llama, ...).
STAND_IN = "o200k_base"

# OpenAI chat framing (OpenAI cookbook, "How to count tokens with tiktoken", API-verified):
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


def encoding_for(tokenizer: str) -> tuple[str, Exactness]:
    """The encoding to count with for a model's tokenizer, and whether that count is exact."""
    if tokenizer in ENCODINGS:
        return tokenizer, "exact"
    return STAND_IN, "approx"


def _encodings_dir() -> Path:
    """The folder of bundled rank files (the wheel installs the package as files, like the
    price table: see :func:`llmprof.pricing.bundled_table_path`)."""
    return Path(__file__).resolve().parent / "encodings"


def _rank_file_bytes(spec: EncodingSpec, filename: str | None = None) -> bytes:
    filename = filename or spec.filename
    try:
        data: bytes = (_encodings_dir() / filename).read_bytes()
    except OSError as exc:
        raise TokenizerError(
            f"bundled encoding file {filename} is missing ({exc})",
            "reinstall llmprof: pip install --force-reinstall llmprof-cli",
        ) from exc
    return data


def verify(spec: EncodingSpec, data: bytes, filename: str | None = None) -> None:
    """Refuse a rank file whose sha256 is not the one tiktoken pins (or, for the ``.ranks`` twin,
    the one recorded here): never miscount silently."""
    filename = filename or spec.filename
    expected = spec.ranks_sha256 if filename == spec.ranks_filename else spec.sha256
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise TokenizerError(
            f"bundled encoding file {filename} is corrupt: sha256 {actual[:16]}..., expected {expected[:16]}...",
            "reinstall llmprof: pip install --force-reinstall llmprof-cli",
        )


def load_ranks(spec: EncodingSpec) -> dict[bytes, int]:
    """The verified rank table: from the ``.ranks`` twin, or (if it is not installed) the
    ``.tiktoken`` file. Either fails loudly when its bytes are not the expected ones."""
    try:
        data: bytes = (_encodings_dir() / spec.ranks_filename).read_bytes()
    except OSError:
        data = _rank_file_bytes(spec)
        verify(spec, data)
        return parse_ranks(data)
    verify(spec, data, spec.ranks_filename)
    from llmprof import ranks

    return ranks.loads(data)


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """Parse a ``.tiktoken`` file: one ``base64(token) rank`` pair per line."""
    fields = data.split()
    if len(fields) % 2:
        raise TokenizerError("malformed .tiktoken file: odd number of fields")
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))


_loading = threading.Lock()


def get_encoding(name: str) -> tiktoken.Encoding:
    """Load a bundled encoding (verified), once per process, whichever thread asks first."""
    with _loading:
        return _load(name)


@functools.cache
def _load(name: str) -> tiktoken.Encoding:
    import tiktoken

    spec = ENCODINGS.get(name)
    if spec is None:
        raise TokenizerError(
            f"no bundled encoding named {name!r}",
            f"use one of: {', '.join(sorted(ENCODINGS))}",
        )
    return tiktoken.Encoding(
        name=spec.name,
        pat_str=spec.pattern,
        mergeable_ranks=load_ranks(spec),
        special_tokens=dict(spec.special_tokens),
    )


def counter(encoding: str) -> Callable[[str], int]:
    """The fastest exact token counter for ``encoding`` (loaded once, thread-safe)."""
    with _loading:
        return _make_counter(encoding)


@functools.cache
def _make_counter(encoding: str) -> Callable[[str], int]:
    return fastest_counter(_load(encoding))


def fastest_counter(enc: tiktoken.Encoding) -> Callable[[str], int]:
    """A token counter for ``enc``. tiktoken's buffer encoder skips building a Python list of
    ints (faster, and no per-token objects); it is used only if it agrees with encode_ordinary."""

    def by_list(text: str) -> int:
        return len(enc.encode_ordinary(text))

    to_buffer = getattr(getattr(enc, "_core_bpe", None), "encode_to_tiktoken_buffer", None)
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


def count_text(text: str, encoding: str) -> int:
    """Tokens in ``text`` as an API would bill it: special-token look-alikes are ordinary text."""
    try:
        return counter(encoding)(text)
    except ValueError:  # tiktoken's pre-tokenizer overflows on whitespace runs of ~1M characters
        return _count_with_long_runs(text, encoding)


#: A run of one whitespace character longer than this is shortened before counting (see below);
#: tiktoken's regex engine gives up on runs of about 900,000.
LONG_RUN = 200_000
_RUN = re.compile(r"(\s)\1{" + str(LONG_RUN) + ",}")


def _count_with_long_runs(text: str, encoding: str) -> int:
    """Count a text holding very long runs of one whitespace character, exactly.

    BPE splits such a run into tokens of one fixed size, aligned from the run's start (128
    spaces, 16 tabs, ... per token; tests check this for every whitespace character and both
    encodings). So removing whole chunks from inside a run removes exactly one token per chunk
    and changes nothing around it: the rest is counted normally. Runs that mix whitespace
    characters have no such structure and are refused."""
    removed = 0
    pieces: list[str] = []
    last = 0
    for match in _RUN.finditer(text):
        chars, tokens = whitespace_period(match[1], encoding)
        periods = (len(match[0]) - LONG_RUN // 2) // chars
        pieces.append(text[last : match.end() - periods * chars])
        removed += periods * tokens
        last = match.end()
    pieces.append(text[last:])
    try:
        return removed + counter(encoding)("".join(pieces))
    except ValueError as exc:
        raise InputError(
            "a run of mixed whitespace too long for the tokenizer to split (about 900,000 characters)",
            "collapse the whitespace in the prompt; no API bills such a run sensibly either.",
        ) from exc


@functools.cache
def whitespace_period(char: str, encoding: str) -> tuple[int, int]:
    """How BPE repeats over a long run of ``char``: every ``chars`` characters make ``tokens``
    tokens (128 spaces make 1 in o200k_base; 2 em spaces, 6 bytes, make 3 in cl100k_base)."""
    enc = get_encoding(encoding)
    width = len(char.encode("utf-8"))
    lengths = [len(enc.decode_single_token_bytes(t)) for t in enc._encode_single_piece((char * 4096).encode("utf-8"))]
    for count in range(1, len(lengths) // 3):
        size = sum(lengths[:count])
        if size % width == 0 and lengths[count : 2 * count] == lengths[:count]:
            return size // width, count
    raise TokenizerError(f"no repeating token pattern for a run of {char!r} in {encoding}")


def message_texts(messages: Sequence[Any], where: str) -> tuple[list[str], int]:
    """The strings a chat request's framing counts, and the fixed framing tokens around them.

    OpenAI framing: 3 tokens per message, +1 per ``name``, +3 to prime the reply. Every string
    field of a message is counted (role, content, name); content given as a list of parts counts
    its text parts. Anything else (images, tool calls) is refused rather than guessed.
    """
    texts: list[str] = []
    framing = REPLY_PRIMING
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise InputError(f"{where}: message {index + 1} is not an object")
        framing += TOKENS_PER_MESSAGE
        for key, value in message.items():
            if value is None:
                continue
            if isinstance(value, str):
                texts.append(value)
                if key == "name":
                    framing += TOKENS_PER_NAME
            elif key == "content" and isinstance(value, list):
                texts.extend(_text_parts(value, where, index))
            else:
                raise InputError(
                    f"{where}: message {index + 1} has a {key!r} field llmprof cannot count",
                    "only text content is counted; remove tool calls, images or audio first.",
                )
    return texts, framing


def _text_parts(parts: list[Any], where: str, index: int) -> list[str]:
    texts = []
    for part in parts:
        if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif isinstance(part, str):
            texts.append(part)
        else:
            kind = part.get("type") if isinstance(part, dict) else type(part).__name__
            raise InputError(
                f"{where}: message {index + 1} has a {kind!r} content part llmprof cannot count",
                "only text parts are counted; remove images, audio or files first.",
            )
    return texts


def count_messages(messages: Sequence[Any], encoding: str, where: str = "messages") -> int:
    """Prompt tokens of a chat request with the API's framing."""
    texts, framing = message_texts(messages, where)
    return framing + sum(count_text(text, encoding) for text in texts)
