"""Misleading results: inputs read one consistent way (files and stdin alike), and every
surprising thing about them said aloud, never a silently different count."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.conftest import Run

CHAT = json.dumps({"messages": [{"role": "user", "content": "hello there"}]})


def _tokens(run: Run, *args: str, stdin: str | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    done = run("estimate", *args, "-m", "gpt-4o", "--format", "json", input=stdin, cwd=cwd)
    if done.returncode != 0:
        return done.returncode, "", done.stderr
    return 0, str(json.loads(done.stdout)["totals"][0]["input_tokens"]), done.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CHAT + "\nand then some plain text\n", ":2: malformed JSON"),
        ('{"messages": [\n', ":2: not valid JSON"),
        ("[1, 2\n", ":2: not valid JSON"),
        ('{"a": 1}\n{"b": 2}\n', ":1: not a request shape llmprof knows"),
        ('{"not": "a prompt"}', "not a request shape llmprof knows"),
    ],
)
@pytest.mark.parametrize("via", ["stdin", "a .json file", "a file with no extension"])
def test_text_that_starts_like_json_is_json_or_an_error(
    run: Run, tmp_path: Path, text: str, message: str, via: str
) -> None:
    if via == "stdin":
        code, _, stderr = _tokens(run, "-", stdin=text)
    else:
        path = tmp_path / ("prompt.json" if via == "a .json file" else "prompt")
        path.write_text(text)
        code, _, stderr = _tokens(run, str(path))
    if via == "a .json file" and message.startswith((":2: malformed", ":1: not a request shape")):
        message = ":2: not valid JSON (Extra data)"  # a .json file is one document, not lines
    assert code == 2 and message in stderr and "--format-in text" in stderr + "or pass --format-in text", stderr


@pytest.mark.parametrize("via", ["stdin", "file"])
def test_format_in_text_counts_it_as_written(run: Run, tmp_path: Path, via: str) -> None:
    text = CHAT + "\nand then some plain text\n"
    path = tmp_path / "p.json"
    path.write_text(text)
    as_text = _tokens(run, "--format-in", "text", "-" if via == "stdin" else str(path), stdin=text)
    plain = _tokens(run, "-", stdin=text.replace("{", "x"))  # the same length of text, not JSON
    assert as_text[0] == 0 and int(as_text[1]) > 20 and plain[0] == 0


def test_stdin_and_files_agree(run: Run, tmp_path: Path) -> None:
    for text in (CHAT, CHAT + "\n" + CHAT + "\n", "plain words here", "   {not json but text after spaces"):
        path = tmp_path / "p"
        path.write_text(text)
        assert _tokens(run, "-", stdin=text)[:2] == _tokens(run, str(path))[:2], text


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("**/*.txt", {"top.txt", "sub/mid.txt", "sub/deep/low.txt"}),
        ("*.txt", {"top.txt", "sub/mid.txt", "sub/deep/low.txt"}),
        ("sub/*.txt", {"sub/mid.txt"}),
        ("sub/**/*.txt", {"sub/mid.txt", "sub/deep/low.txt"}),
        ("**/deep/*", {"sub/deep/low.txt", "sub/deep/other.md"}),
        ("t?p.txt", {"top.txt"}),
        ("[lm]*.txt", {"sub/mid.txt", "sub/deep/low.txt"}),
    ],
)
def test_globs_include_the_top_level(run: Run, tmp_path: Path, pattern: str, expected: set[str]) -> None:
    for name in ("top.txt", "sub/mid.txt", "sub/deep/low.txt", "sub/deep/other.md", "note.md"):
        (tmp_path / "p" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / name).write_text("hi")
    done = run("estimate", "p", "--glob", pattern, "-m", "gpt-4o", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    prompts = {r["prompt"].removeprefix("p/") for r in json.loads(done.stdout)["rows"]}
    assert prompts == expected


def test_unreadable_folders_are_named(run: Run, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    (tmp_path / "p" / "locked").mkdir(parents=True)
    (tmp_path / "p" / "ok.txt").write_text("hi")
    (tmp_path / "p" / "locked").chmod(0)
    try:
        done = run("estimate", "p", "-m", "gpt-4o", cwd=tmp_path)
    finally:
        (tmp_path / "p" / "locked").chmod(0o700)
    assert done.returncode == 0 and "skipped 1 folder(s) under p that cannot be read" in done.stderr


@pytest.mark.parametrize(
    ("encoding", "bom", "flag"),
    [
        ("utf-16-le", b"\xff\xfe", []),
        ("utf-16-be", b"\xfe\xff", []),
        ("utf-8", b"\xef\xbb\xbf", []),
        ("utf-32-le", b"\xff\xfe\x00\x00", []),
        ("utf-16-le", b"", ["--encoding", "utf-16-le"]),
        ("latin-1", b"", ["--encoding", "latin-1"]),
    ],
)
def test_encodings_and_byte_order_marks(run: Run, tmp_path: Path, encoding: str, bom: bytes, flag: list[str]) -> None:
    text = "Grüße aus Köln, ça va ?"
    (tmp_path / "p.txt").write_bytes(bom + text.encode(encoding))
    (tmp_path / "ref.txt").write_text(text, encoding="utf-8")
    assert _tokens(run, str(tmp_path / "p.txt"), *flag)[:2] == _tokens(run, str(tmp_path / "ref.txt"))[:2]
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "p.txt").write_bytes(bom + text.encode(encoding))
    assert _tokens(run, str(tmp_path / "dir"), *flag)[0] == 0  # in a folder: not skipped as binary


def test_utf16_without_a_mark_says_how_to_read_it(run: Run, tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_bytes("hello".encode("utf-16-le"))
    code, _, stderr = _tokens(run, str(tmp_path / "p.txt"))
    assert code == 2 and "looks like a binary file" in stderr and "--encoding utf-16" in stderr


def test_a_file_named_twice_is_counted_once_aloud(run: Run, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("hello world")
    once = _tokens(run, "d/a.txt", cwd=tmp_path)
    twice = _tokens(run, "d/a.txt", "./d/a.txt", "d", cwd=tmp_path)
    assert twice[1] == once[1]
    assert "is named more than once" in twice[2] and "counted once" in twice[2]


@pytest.mark.parametrize("content", ["", "   \n\t ", "\n"])
def test_an_empty_prompt_is_said_aloud(run: Run, tmp_path: Path, content: str) -> None:
    (tmp_path / "empty.txt").write_text(content)
    code, _, stderr = _tokens(run, str(tmp_path / "empty.txt"))
    assert code == 0 and "empty.txt is empty: only the chat framing (if any) is priced" in stderr


def test_a_million_spaces_count_exactly(run: Run) -> None:
    code, tokens, stderr = _tokens(run, "-", stdin=" " * 1_000_000 + "x")
    assert code == 0 and tokens == str(999_999 // 128 + 2), stderr
