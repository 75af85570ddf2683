from __future__ import annotations

import random
from pathlib import Path

import pytest

from llmprof import tokens
from llmprof.errors import InputError, TokenizerError

CORPUS = [
    "",
    "Hello, world!",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n\tprint(fib(30))\r\n",
    "東京は日本の首都です。北京是中国的首都。서울은 한국의 수도입니다.",
    "Emoji 👩‍👩‍👧‍👦 family, flags 🇯🇵🇫🇷, skin tones 👍🏽 and ZWJ sequences 🧑‍💻.",
    " " * 1000 + "\n" * 50 + "\t \t \r\n" * 30,
    "<|endoftext|> is text here, so are <|endofprompt|>, <|fim_prefix|> and <|im_start|>",
    "ＡＢＣ full-width, café naïve résumé, Ελληνικά, עברית, العربية, हिन्दी",
    "1234567890 3.14159 1e-9 0xDEADBEEF 2026-11-21T09:19:00Z",
    "a" * 5000,
    "don't I'll we've THEY'RE you'D",
    '{"json": [1, 2, {"nested": "value"}], "escaped": "\\n\\t\\u00e9"}',
]


def _random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = (
        [chr(c) for c in range(32, 127)]
        + ["\n", "\t", "\r", " " * 4]
        + [chr(c) for c in range(0x4E00, 0x4E40)]
        + ["é", "ß", "ø", "😀", "🚀", "\u0301", "\u200d"]
    )
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(count)]


@pytest.fixture(scope="module")
def reference(tiktoken_cache: Path) -> object:
    import os

    import tiktoken

    old = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(tiktoken_cache)
    try:
        return {name: tiktoken.get_encoding(name) for name in tokens.ENCODINGS}
    finally:
        if old is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = old


@pytest.mark.parametrize("name", sorted(tokens.ENCODINGS))
def test_counts_equal_tiktoken_on_varied_text(name: str, reference: dict[str, object]) -> None:
    ref = reference[name]
    texts = CORPUS + _random_texts(seed=7, count=200)
    expected = [len(ref.encode(t, disallowed_special=())) for t in texts]  # type: ignore[attr-defined]
    assert [tokens.count_text(t, name) for t in texts] == expected


WHITESPACE = (" ", "\t", "\n", "\r", "\r\n"[0], "\u3000", "\u00a0", "\x0b", "\x0c", "\u2003")


@pytest.mark.parametrize("name", sorted(tokens.ENCODINGS))
@pytest.mark.parametrize("char", WHITESPACE)
def test_long_whitespace_runs_split_into_fixed_chunks(name: str, char: str) -> None:
    """The rule behind counting runs too long for tiktoken: removing whole chunks from a run of
    one whitespace character removes exactly one token each, whatever surrounds the run."""
    chars, per = tokens.whitespace_period(char, name)
    for before, after in (("", ""), ("x", "y"), (".", "!"), ("a", "\n"), ("1", "2"), ("\n", " b")):
        for m in (2000, 2000 + chars - 1, 2000 + chars, 5003):  # the code keeps runs long (100,000+)
            for k in (1, 2, 5):
                short = tokens.count_text(before + char * m + after, name)
                long = tokens.count_text(before + char * (m + k * chars) + after, name)
                assert long == short + k * per, (repr(char), before, after, m, k)


@pytest.mark.parametrize("name", sorted(tokens.ENCODINGS))
def test_the_long_run_path_agrees_with_tiktoken_where_tiktoken_still_works(name: str) -> None:
    text = "Start." + " " * 250_000 + "end\n" + "\t" * 230_000 + "x"
    assert tokens._count_with_long_runs(text, name) == tokens.counter(name)(text)


def test_a_million_spaces_count_exactly_and_mixed_runs_are_refused() -> None:
    assert tokens.count_text(" " * 1_000_000 + "x", "o200k_base") == 999_999 // 128 + 1 + 1
    with pytest.raises(InputError, match="a run of mixed whitespace too long"):
        tokens.count_text(" \t" * 500_000, "o200k_base")


@pytest.mark.parametrize("name", sorted(tokens.ENCODINGS))
def test_encoding_spec_matches_tiktokens_own(name: str, tiktoken_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tiktoken_ext import openai_public  # type: ignore[import-untyped]

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tiktoken_cache))
    theirs = getattr(openai_public, name)()
    spec = tokens.ENCODINGS[name]
    assert spec.pattern == theirs["pat_str"]
    assert dict(spec.special_tokens) == theirs["special_tokens"]
    assert tokens.get_encoding(name)._mergeable_ranks == theirs["mergeable_ranks"]


def test_special_token_lookalikes_are_ordinary_text() -> None:
    # The API bills "<|endoftext|>" in user text as text: 7 tokens in o200k_base, not 1.
    assert tokens.count_text("<|endoftext|>", "o200k_base") == 7
    assert tokens.count_text("<|endoftext|>", "cl100k_base") == 7


def test_corrupt_rank_file_is_refused() -> None:
    spec = tokens.ENCODINGS["o200k_base"]
    with pytest.raises(TokenizerError, match=r"o200k_base\.tiktoken is corrupt"):
        tokens.verify(spec, b"not the real file")


def test_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(TokenizerError, match="no bundled encoding named 'p50k_base'"):
        tokens.get_encoding("p50k_base")


def test_encoding_for_labels_exactness() -> None:
    assert tokens.encoding_for("o200k_base") == ("o200k_base", "exact")
    assert tokens.encoding_for("cl100k_base") == ("cl100k_base", "exact")
    assert tokens.encoding_for("claude") == ("o200k_base", "approx")


# The OpenAI cookbook's example, whose counts were verified against the API: 129 prompt tokens
# on gpt-3.5-turbo / gpt-4 (cl100k_base), 124 on gpt-4o / gpt-4o-mini (o200k_base).
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]


def test_chat_framing_matches_the_api_verified_cookbook_counts() -> None:
    assert tokens.count_messages(COOKBOOK_MESSAGES, "cl100k_base") == 129
    assert tokens.count_messages(COOKBOOK_MESSAGES, "o200k_base") == 124


def test_chat_framing_rule() -> None:
    # 3 per message + role + content, +1 per name, +3 reply priming.
    one = [{"role": "user", "content": "hi"}]
    assert tokens.count_messages(one, "o200k_base") == 3 + 1 + 1 + 3
    named = [{"role": "user", "name": "bob", "content": "hi"}]
    assert tokens.count_messages(named, "o200k_base") == 3 + 1 + 1 + 1 + 1 + 3
    assert tokens.count_messages([], "o200k_base") == 3


def test_content_parts_count_their_text() -> None:
    parts = [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "text", "text": " there"}]}]
    texts, framing = tokens.message_texts(parts, "x")
    assert texts == ["user", "hi", " there"]
    assert framing == 6


def test_image_parts_are_refused_not_guessed() -> None:
    parts = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]
    with pytest.raises(InputError, match="'image_url' content part"):
        tokens.count_messages(parts, "o200k_base", "chat.json")
