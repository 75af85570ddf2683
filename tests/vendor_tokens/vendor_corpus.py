"""A varied, deterministic test corpus for tokenizer equality checks.

Hand-written cases cover the shapes that break tokenizers (prose, code, JSON, CJK, emoji with
ZWJ and flags, whitespace runs, digits, mixed scripts, combining marks in NFC and NFD, invisible
characters); seeded random strings drawn from the same character pools fill the gaps; one long
document exercises large inputs.
"""

from __future__ import annotations

import json
import random
import unicodedata

ENGLISH = (
    "The committee met on Tuesday to review the quarterly figures. Revenue rose 4.2% year over year, "
    "while operating costs fell slightly; the board, however, remained cautious about the outlook for "
    'Q3, citing supply-chain delays and a weaker euro. "We\'re not out of the woods yet," she said.'
)
PYTHON = '''def fibonacci(n: int) -> list[int]:
    """Return the first n Fibonacci numbers."""
    a, b = 0, 1
    out = []
    for _ in range(n):
        out.append(a)
        a, b = b, a + b
    return out


if __name__ == "__main__":
    print(fibonacci(10))  # [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
'''
JAVASCRIPT = (
    "const fetchUser = async (id) => {\n\tconst res = await fetch(`/api/users/${id}`);\n"
    "\tif (!res.ok) throw new Error(`HTTP ${res.status}`);\n\treturn res.json();\n};\n"
)
RUST = 'fn main() {\n    let v: Vec<u64> = (1..=10).map(|x| x * x).collect();\n    println!("{:?}", v);\n}\n'
SQL = "SELECT u.id, COUNT(*) AS n\nFROM users u\nJOIN orders o ON o.user_id = u.id\nWHERE o.total > 100.50\nGROUP BY u.id\nORDER BY n DESC;"
JSON_DOC = json.dumps(
    {
        "id": "chatcmpl-9xYz",
        "object": "chat.completion",
        "created": 1718035200,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
        "tags": ["a", "b", None, True, 3.14159, -2e-7],
    },
    indent=2,
)
CHINESE = "人工智能正在改变世界。我们需要认真思考它对社会、经济和文化的影响，并制定相应的政策。"
JAPANESE = "東京は日本の首都です。ひらがな、カタカナ、漢字を組み合わせて書きます。ｶﾀｶﾅ半角も。"
KOREAN = "안녕하세요! 오늘 날씨가 정말 좋네요. 한국어 토큰화 테스트입니다."
EMOJI = "Launch 🚀🚀🚀 success 🎉 — family 👨‍👩‍👧‍👦, flags 🇫🇷🇯🇵🇺🇸, skin 👍🏽, keycap 1️⃣, heart ❤️"
MIXED = "Ελληνικά, русский текст, العربية, עברית, हिन्दी, ไทย, Tiếng Việt, Türkçe: ğüşıöç ß ǅ ﬁ"
NUMBERS = "3.14159265358979 1234567890123456789 -0.000001 1e-10 1,000,000.00 ٣٤٥ ⅫⅣ ¹²³ 0x1F 007"
WHITESPACE = "a  b   c    d\t\te\n\n\nf\r\ng \r\n\r\n h" + " " * 40 + "end\n" + "\t" * 12 + "x" + "\n" * 9
URLS = "See https://example.com/a/b?c=1&d=%20e#frag and mailto:someone@example.org, or C:\\Users\\me\\file.txt"
MARKDOWN = (
    "# Title\n\n| col A | col B |\n|-------|------:|\n| 1     | **bold** |\n\n- item `code`\n> quote\n\n```py\nx=1\n```"
)
COMBINING_NFD = unicodedata.normalize("NFD", "café naïve Ångström résumé Việt Nam 한국어")
COMBINING_NFC = unicodedata.normalize("NFC", COMBINING_NFD)
INVISIBLE = "zero\u200bwidth\u200c joiner\u200d bom\ufeff nbsp\u00a0 soft\u00ad hyphen \u2028line\u2029para"
CONTRACTIONS = "I'm sure you've heard it's they'll we'd DON'T CAN'T I'M O'Reilly's rock'n'roll"
REPEATS = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " + "ab" * 60 + " " + "=" * 80 + " " + "0" * 70
BASE64_BLOB = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
HTML = '<div class="card" data-id="42"><p>Hello&nbsp;<b>world</b> &lt;3</p><img src="x.png" alt=""/></div>'
LATEX = r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}, \quad \sum_{n=1}^{\infty} \frac{1}{n^2} = \frac{\pi^2}{6}"
PUNCT = "!!! ??? ... --- *** ;;; ::: ((( ))) [[[ ]]] {{{ }}} <<< >>> ~~~ ``` ''' \"\"\" ///"
SPECIAL_LOOKALIKES = "<|endoftext|> <|im_start|>user <s>[INST] hi [/INST]</s> <|begin_of_text|> <think>"

HANDWRITTEN: dict[str, str] = {
    "empty": "",
    "single-char": "a",
    "single-space": " ",
    "newline": "\n",
    "english": ENGLISH,
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "rust": RUST,
    "sql": SQL,
    "json": JSON_DOC,
    "chinese": CHINESE,
    "japanese": JAPANESE,
    "korean": KOREAN,
    "emoji": EMOJI,
    "mixed-scripts": MIXED,
    "numbers": NUMBERS,
    "whitespace-runs": WHITESPACE,
    "urls": URLS,
    "markdown": MARKDOWN,
    "combining-nfd": COMBINING_NFD,
    "combining-nfc": COMBINING_NFC,
    "invisible": INVISIBLE,
    "contractions": CONTRACTIONS,
    "repeats": REPEATS,
    "base64": BASE64_BLOB,
    "html": HTML,
    "latex": LATEX,
    "punctuation": PUNCT,
    "leading-trailing-space": "   padded text with spaces   ",
    "only-whitespace": " \t \n \r\n   \t\t  ",
    "mixed-all": "\n".join([ENGLISH, CHINESE, PYTHON, EMOJI, JSON_DOC, MIXED, NUMBERS]),
}

_POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " \t\n\r",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "人工智能改变世界我们需要思考影响日本語のテキスト한국어토큰",
    "αβγδεζηθλμπσωабвгдежзийклмнабвгдежзاعربيةעבריתहिन्दीไทย",
    "🚀🎉👍🏽❤️👨‍👩‍👧🇫🇷",
    "éèêëàâäîïôöùûüçñßøåæœ",
    "\u0301\u0308\u200b\u200d\ufeff\u00a0",
]


def random_cases(count: int = 300, seed: int = 20261121) -> dict[str, str]:
    """Seeded random strings: words from mixed pools, with runs of whitespace and digits."""
    rng = random.Random(seed)
    cases = {}
    for i in range(count):
        parts = []
        for _ in range(rng.randint(1, 40)):
            pool = rng.choice(_POOLS)
            parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 12))))
            parts.append(rng.choice(["", " ", " ", "  ", "\n", "\t", ", ", ". "]))
        cases[f"random-{i:03d}"] = "".join(parts)
    return cases


def long_document(chars: int = 90_000) -> str:
    """A long, realistic mix (well under 100,000 characters: dashscope's reference encoder cuts
    its input into 100,000-character pieces and Meta's into 400,000)."""
    blocks = [ENGLISH, PYTHON, JSON_DOC, CHINESE, MARKDOWN, EMOJI, SQL, MIXED, NUMBERS, JAPANESE]
    out: list[str] = []
    size = 0
    i = 0
    while size < chars:
        block = blocks[i % len(blocks)] + "\n\n"
        out.append(block)
        size += len(block)
        i += 1
    return "".join(out)[:chars]


def corpus(with_lookalikes: bool = False) -> dict[str, str]:
    cases = dict(HANDWRITTEN)
    cases.update(random_cases())
    cases["long-90k"] = long_document()
    if with_lookalikes:
        cases["special-lookalikes"] = SPECIAL_LOOKALIKES
    return cases
