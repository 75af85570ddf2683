"""Image sizes from headers, and each provider's published token rule with its worked examples."""

from __future__ import annotations

import base64
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof import images
from llmprof.images import Size


def png(width: int, height: int) -> bytes:
    """A real, complete PNG (one colour type 0 pixel row per line, deflated)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg(width: int, height: int, exif: int = 0) -> bytes:
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + b"E" * exif if exif else b""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb\x00\x03\x00"
    sof2 = b"\xff\xc2\x00\x11\x08" + struct.pack(">HH", height, width) + b"\x03" + b"\x01\x11\x00" * 3
    return b"\xff\xd8" + app0 + app1 + dqt + b"\xff\xff" + sof2 + b"\xff\xda\x00\x02" + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp_lossy(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(frame)) + b"WEBP" + b"VP8 " + struct.pack("<I", len(frame)) + frame


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    data = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(data)) + b"WEBP" + b"VP8L" + struct.pack("<I", len(data)) + data


def webp_extended(width: int, height: int) -> bytes:
    data = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(data)) + b"WEBP" + b"VP8X" + struct.pack("<I", len(data)) + data


SIZES = [(1, 1), (1024, 768), (377, 4096), (16383, 2)]
MAKERS = [png, jpeg, gif, webp_lossy, webp_lossless, webp_extended]


# png() writes real pixel rows: the two huge sizes are left to the header-only formats
@pytest.mark.parametrize(("make", "size"), [(m, s) for m in MAKERS for s in SIZES if not (m is png and max(s) > 3000)])
def test_sizes_come_from_the_header(make: object, size: tuple[int, int]) -> None:
    data = make(*size)  # type: ignore[operator]
    assert images.size_of_bytes(data) == Size(*size)
    assert images.size_of_data_url("data:image/x;base64," + base64.b64encode(data).decode()) == Size(*size)


def test_jpeg_frames_after_large_exif_blocks() -> None:
    assert images.size_of_bytes(jpeg(640, 480, exif=60_000)) == Size(640, 480)


def test_anthropics_test_vector_is_one_by_one() -> None:
    # Claude docs, "Vision": the base64 PNG used in its examples (69 bytes, 1x1).
    data = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    assert images.size_of_base64(data) == Size(1, 1)


@pytest.mark.parametrize(
    "data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xd9", b"RIFF\x00\x00\x00\x00WEBPVP8 "]
)
def test_what_is_not_an_image_has_no_size(data: bytes) -> None:
    assert images.size_of_bytes(data) is None


def test_sizes_from_files_and_broken_data_urls(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(png(32, 16))
    assert images.size_of_file(tmp_path / "a.png") == Size(32, 16)
    assert images.size_of_file(tmp_path / "missing.png") is None
    assert images.size_of_data_url("data:image/png;base64,!!!not-base64") is None
    assert images.size_of_data_url("https://example.com/a.png") is None


# OpenAI, "Images and vision", Calculating costs: "A 1024 x 1024 square image in "detail": "high"
# mode costs 765 tokens" (170 * 4 + 85); "A 2048 x 4096 image in "detail": "high" mode costs 1105
# tokens" (170 * 6 + 85); "A 4096 x 8192 image in "detail": "low" most costs 85 tokens".
@pytest.mark.parametrize(
    ("size", "detail", "tokens"),
    [
        ((1024, 1024), "high", 765),
        ((2048, 4096), "high", 1105),
        ((4096, 8192), "low", 85),
        ((512, 512), "high", 255),  # never scaled up: one tile
        ((513, 513), "high", 765),
        ((4096, 4096), "high", 765),
    ],
)
def test_openai_tiles(size: tuple[int, int], detail: images.Detail, tokens: int) -> None:
    assert images.openai_tiles(Size(*size), detail, 85, 170) == tokens


def test_openai_tiles_per_model_constants() -> None:
    # gpt-4o-mini: base 2833, tile 5667 (same table) -> 2833 + 4 x 5667 at 1024x1024 high
    assert images.openai_tiles(Size(1024, 1024), "high", 2833, 5667) == 25_501


# Same guide, patch models: "A 1024 x 1024 image has a post-resize patch count of 1024"; "A 1800 x
# 2400 image has a post-resize patch count of 1452" (resized to 1056 x 1408), times the multiplier.
@pytest.mark.parametrize(
    ("size", "multiplier", "tokens"),
    [
        ((1024, 1024), "1", 1024),
        ((1800, 2400), "1", 1452),
        ((1024, 1024), "1.62", 1659),  # gpt-4.1-mini: ceil(1024 x 1.62)
        ((1800, 2400), "2.46", 3572),  # gpt-4.1-nano: ceil(1452 x 2.46)
        ((20, 20), "1.72", 2),  # o4-mini, one patch: ceil(1.72)
    ],
)
def test_openai_patches(size: tuple[int, int], multiplier: str, tokens: int) -> None:
    assert images.openai_patches(Size(*size), Decimal(multiplier)) == tokens


# Claude docs, "Vision" (current): a patch is a 28x28 block, ceil(w/28) x ceil(h/28) tokens, after
# scaling to fit 1568 px / 1568 tokens (2576 px / 4784 tokens on Opus 4.7 and later). Its table:
# 200x200 64; 1000x1000 1296; 1092x1092 1521; 1920x1080 1560 (1456x819); 2000x1500 1564;
# 3840x2160 1560; and on Opus 4.7+: 2691, 3888, 4784. (The older page's w*h/750 rule, e.g. "~1334"
# for 1000x1000, was replaced by this one.)
@pytest.mark.parametrize(
    ("size", "standard", "large"),
    [
        ((200, 200), 64, 64),
        ((1000, 1000), 1296, 1296),
        ((1092, 1092), 1521, 1521),
        ((1920, 1080), 1560, 2691),
        ((2000, 1500), 1564, 3888),
        ((3840, 2160), 1560, 4784),
        ((1080, 1920), 1560, 2691),  # portrait: the same after swapping sides
    ],
)
def test_anthropic(size: tuple[int, int], standard: int, large: int) -> None:
    assert images.anthropic(Size(*size)) == standard
    assert images.anthropic(Size(*size), 2576, 4784) == large


# Gemini, "Image understanding": "258 tokens if both dimensions <= 384 pixels. Larger images are
# tiled into 768x768 pixel tiles, each costing 258 tokens"; "960x540 would have a crop unit size of
# 360 ... the number of tile is 3 * 2 = 6".
@pytest.mark.parametrize(("size", "tokens"), [((384, 384), 258), ((200, 100), 258), ((960, 540), 6 * 258)])
def test_gemini_tiles(size: tuple[int, int], tokens: int) -> None:
    assert images.gemini_tiles(Size(*size)) == tokens


def test_image_sizes_from_text() -> None:
    assert images.parse_size("1024x768") == Size(1024, 768) and images.parse_size(" 5 X 6 ") == Size(5, 6)
    for bad in ("1024", "0x5", "axb"):
        with pytest.raises(ValueError, match="is not an image size"):
            images.parse_size(bad)
