"""BPE rank tables in a form that loads without parsing: ``{name}.ranks`` beside ``{name}.tiktoken``.

A ``.tiktoken`` file is 200,000 lines of ``base64(token) rank``; decoding them in Python takes
about as long as tiktoken's own construction of the encoder. The ``.ranks`` form holds the same
table as a pickle *stream written here, opcode by opcode* (protocol 4, one frame: a dict, then
``bytes -> int`` pairs in rank order), which the C unpickler turns into the dict directly.

Integrity: the ``.ranks`` bytes are checked against a sha256 recorded in the source
(:data:`llmprof.tokens.ENCODINGS`) before they are read, and tests check that the recorded file
is exactly :func:`dumps` of the ``.tiktoken`` file, whose own sha256 is the one tiktoken pins. A
``.ranks`` file that fails its hash is refused like a corrupt ``.tiktoken``. It is read with an
unpickler that can build nothing but containers, bytes and ints (no classes, no calls).

Rebuild (after changing the format; the ``.tiktoken`` files never change)::

    python -m llmprof.ranks   # writes llmprof/encodings/*.ranks and prints their sha256
"""

from __future__ import annotations

import io
import pickle
import struct

_BATCH = 1000  # pairs per SETITEMS, as the pickle module writes dicts


def dumps(ranks: dict[bytes, int]) -> bytes:
    """The ``.ranks`` bytes of a table: deterministic, whatever the Python version."""
    out = bytearray(b"}")  # EMPTY_DICT
    items = list(ranks.items())
    for start in range(0, len(items), _BATCH):
        out += b"("  # MARK
        for token, rank in items[start : start + _BATCH]:
            if len(token) < 256:
                out += b"C" + bytes((len(token),)) + token  # SHORT_BINBYTES
            else:
                out += b"B" + struct.pack("<I", len(token)) + token  # BINBYTES
            if 0 <= rank < 256:
                out += b"K" + bytes((rank,))  # BININT1
            elif 0 <= rank < 65536:
                out += b"M" + struct.pack("<H", rank)  # BININT2
            else:
                out += b"J" + struct.pack("<i", rank)  # BININT
        out += b"u"  # SETITEMS
    out += b"."  # STOP
    # PROTO 4, then one FRAME holding everything: the unpickler reads it in one go
    return b"\x80\x04\x95" + struct.pack("<Q", len(out)) + bytes(out)


class _DataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"a rank table names no classes (found {module}.{name})")


def loads(data: bytes) -> dict[bytes, int]:
    """The table in ``.ranks`` bytes (verify them first: see :func:`llmprof.tokens.get_encoding`)."""
    table = _DataOnly(io.BytesIO(data)).load()
    if type(table) is not dict:
        raise pickle.UnpicklingError("a rank table is a dict")
    return table


def main() -> None:  # pragma: no cover - a maintainer's tool
    import hashlib
    from pathlib import Path

    from llmprof import tokens

    folder = Path(__file__).resolve().parent / "encodings"
    for spec in tokens.ENCODINGS.values():
        data = (folder / spec.filename).read_bytes()
        tokens.verify(spec, data)
        ranks = dumps(tokens.parse_ranks(data))
        (folder / spec.ranks_filename).write_bytes(ranks)
        print(f"{spec.ranks_filename}: sha256 {hashlib.sha256(ranks).hexdigest()}")


if __name__ == "__main__":  # pragma: no cover
    main()
