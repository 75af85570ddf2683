from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llmprof.errors import InputError
from llmprof.inputs import Source, collect_sources, read_source
from llmprof.requests import Request, text_request

Write = Callable[[str, str], Path]


def _read(path: Path) -> list[Request]:
    return read_source(Source(str(path), path))


def test_text_file_is_one_prompt(write: Write) -> None:
    path = write("p.txt", "hello\n")
    assert _read(path) == [text_request("hello\n", str(path))]


def test_empty_file_is_an_empty_prompt_not_an_error(write: Write) -> None:
    path = write("empty.txt", "")
    assert _read(path) == [text_request("", str(path))]


def test_chat_json_forms(write: Write) -> None:
    messages = [{"role": "user", "content": "hi"}]
    bare = _read(write("a.json", json.dumps(messages)))[0]
    assert (bare.shape, bare.texts, bare.messages) == ("openai-chat", ["user", "hi"], 1)
    body = _read(write("b.json", json.dumps({"model": "gpt-4o", "messages": messages})))[0]
    assert (body.texts, body.model) == (["user", "hi"], "gpt-4o")
    listed = _read(write("c.json", json.dumps([{"messages": messages}, {"messages": messages}])))
    assert [p.where.rsplit("[", 1)[1] for p in listed] == ["0]", "1]"]


def test_json_of_an_unknown_shape_is_refused_unless_read_as_text(write: Write) -> None:
    path = write("data.json", '{"not": "chat"}')
    with pytest.raises(InputError, match=r"data.json: not a request shape llmprof knows"):
        _read(path)
    assert read_source(Source("data.json", path), format_in="text")[0].texts == ['{"not": "chat"}']


def test_openai_batch_jsonl_keeps_each_lines_model(write: Write) -> None:
    lines = [
        {
            "custom_id": "1",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "a"}]},
        },
        {
            "custom_id": "2",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "b"}]},
        },
    ]
    path = write("batch.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    prompts = _read(path)
    assert [(p.where, p.model) for p in prompts] == [(f"{path}:1", "gpt-4o-mini"), (f"{path}:2", "gpt-4o")]


def test_malformed_jsonl_names_file_and_line(write: Write) -> None:
    path = write("bad.jsonl", '{"messages": [{"role": "user", "content": "a"}]}\n{"messages": [\n')
    with pytest.raises(InputError, match=rf"{path}:2: malformed JSON"):
        _read(path)


def test_jsonl_line_that_is_not_a_prompt(write: Write) -> None:
    path = write("odd.jsonl", '{"x": 1}\n')
    with pytest.raises(InputError, match=rf"{path}:1: not a request shape llmprof knows"):
        _read(path)


def test_non_utf8_names_line_and_suggests_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("first line\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as err:
        _read(path)
    assert err.value.message == f"{path}:2: not valid utf-8 text (byte 0xe9 at offset 14)"
    assert "--encoding" in (err.value.hint or "")
    assert read_source(Source(str(path), path), encoding="latin-1")[0].texts == ["first line\ncafé\n"]


def test_binary_file_named_explicitly_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x89PNG\x00\x00")
    with pytest.raises(InputError, match="looks like a binary file"):
        _read(path)


def test_stdin_text_and_chat() -> None:
    stdin = Source("<stdin>", None)
    assert read_source(stdin, stdin=io.BytesIO(b"plain"))[0].texts == ["plain"]
    chat = read_source(stdin, stdin=io.BytesIO(b'[{"role": "user", "content": "x"}]'))
    assert (chat[0].shape, chat[0].texts) == ("openai-chat", ["user", "x"])


def test_directories_recurse_filter_and_skip_binaries(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.txt").write_text("a")
    (tmp_path / "d" / "sub" / "b.txt").write_text("b")
    (tmp_path / "d" / "sub" / "c.md").write_text("c")
    (tmp_path / "d" / "img.png").write_bytes(b"\x00\x01")
    (tmp_path / "d" / ".hidden").mkdir()
    (tmp_path / "d" / ".hidden" / "h.txt").write_text("h")
    notes: list[str] = []
    found = collect_sources([str(tmp_path / "d")], None, notes.append)
    assert [s.label for s in found] == [str(tmp_path / "d" / n) for n in ("a.txt", "sub/b.txt", "sub/c.md")]
    assert notes == [f"skipped 1 binary file(s) under {tmp_path / 'd'}: {tmp_path / 'd' / 'img.png'}"]
    only_txt = collect_sources([str(tmp_path / "d")], "*.txt")
    assert sorted(s.path.name for s in only_txt if s.path) == ["a.txt", "b.txt"]


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file or directory"):
        collect_sources([str(tmp_path / "nope.txt")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no prompt files matching '\*\.txt' found"):
        collect_sources([str(tmp_path / "empty")], "*.txt")
