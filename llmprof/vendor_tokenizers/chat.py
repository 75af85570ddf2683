"""A chat request's prompt tokens in a vendor family's documented chat format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmprof.errors import InputError, TokenizerError
from llmprof.vendor_tokenizers.families import family_spec
from llmprof.vendor_tokenizers.loading import counter


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
    spec = family_spec(family)
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
