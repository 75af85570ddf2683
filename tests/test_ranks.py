"""The pre-parsed rank tables (``.ranks``): exactly the ``.tiktoken`` tables tiktoken pins, checked
against the sha256 recorded in the source before use, and refused when they are not."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from pathlib import Path

import pytest

from llmprof import ranks, tokens
from llmprof.errors import TokenizerError

NAMES = sorted(tokens.ENCODINGS)


@pytest.mark.parametrize("name", NAMES)
def test_each_ranks_file_is_its_tiktoken_table_exactly(name: str) -> None:
    spec = tokens.ENCODINGS[name]
    folder = tokens._encodings_dir()
    source = (folder / spec.filename).read_bytes()
    twin = (folder / spec.ranks_filename).read_bytes()
    assert hashlib.sha256(source).hexdigest() == spec.sha256  # the hash tiktoken pins
    assert hashlib.sha256(twin).hexdigest() == spec.ranks_sha256  # the hash recorded here
    expected = tokens.parse_ranks(source)
    table = ranks.loads(twin)
    assert table == expected and list(table) == list(expected)  # same pairs, same order
    assert ranks.dumps(expected) == twin  # and the file is what this version of the format writes
    assert tokens.load_ranks(spec) == expected


@pytest.fixture
def copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled rank files, copied to a folder the test may damage."""
    folder = tmp_path / "encodings"
    folder.mkdir()
    for item in tokens._encodings_dir().iterdir():
        if item.name.endswith((".ranks", ".tiktoken")):
            (folder / item.name).write_bytes(item.read_bytes())
    monkeypatch.setattr(tokens, "_encodings_dir", lambda: folder)
    return folder


def test_a_tampered_ranks_file_is_refused(copied: Path) -> None:
    spec = tokens.ENCODINGS["o200k_base"]
    path = copied / spec.ranks_filename
    data = bytearray(path.read_bytes())
    at = data.index(b"C\x05hello")  # one token's bytes, one letter changed: still a valid pickle
    data[at + 2] ^= 0x20
    path.write_bytes(bytes(data))
    assert isinstance(pickle.loads(bytes(data)), dict)
    with pytest.raises(TokenizerError, match=r"o200k_base\.ranks is corrupt"):
        tokens.load_ranks(spec)


def test_without_its_ranks_file_the_tiktoken_file_is_used_and_still_verified(copied: Path) -> None:
    spec = tokens.ENCODINGS["cl100k_base"]
    os.remove(copied / spec.ranks_filename)
    assert tokens.load_ranks(spec) == tokens.parse_ranks((copied / spec.filename).read_bytes())
    source = copied / spec.filename
    source.write_bytes(source.read_bytes().replace(b"IQ== 0", b"Ig== 0", 1))
    with pytest.raises(TokenizerError, match=r"cl100k_base\.tiktoken is corrupt"):
        tokens.load_ranks(spec)
    shutil.rmtree(copied)
    with pytest.raises(TokenizerError, match=r"cl100k_base\.tiktoken is missing"):
        tokens.load_ranks(spec)


def test_the_reader_builds_no_objects_but_the_table() -> None:
    with pytest.raises(pickle.UnpicklingError, match="names no classes"):
        ranks.loads(pickle.dumps({b"a": os.getcwd}, protocol=4))
    with pytest.raises(pickle.UnpicklingError, match="is a dict"):
        ranks.loads(pickle.dumps([b"a", 1], protocol=4))


def test_the_writer_covers_long_tokens_and_large_ranks() -> None:
    table = {b"x" * 300: 0, b"": 255, b"y": 256, b"z": 65535, b"w": 65536, bytes(range(256)): 2**31 - 1}
    table.update({bytes([i % 256, i // 256]): 100_000 + i for i in range(2500)})  # several batches
    data = ranks.dumps(table)
    assert pickle.loads(data) == table and ranks.loads(data) == table
    assert list(ranks.loads(data)) == list(table)
