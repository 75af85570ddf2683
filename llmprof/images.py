"""Images in a request: their size, read from the image itself, and what each provider bills.

Sizes come from the image header (PNG, JPEG, GIF, WebP), read without any imaging library from a
``data:`` URL, base64 data or a local file. A remote URL has no size until fetched, and llmprof
never fetches: such an image is counted from ``--image-size`` or left out with a warning.

Token rules (the providers' own documentation):

* OpenAI tile models: ``detail: low`` costs the base; ``high`` fits the image in 2048x2048, then
  scales the shortest side to 768 (only ever down), and bills ``base + tile`` per 512 px square.
  ``auto`` is not documented for most models: it is priced as ``high``, the most it can cost.
* OpenAI patch models: 32 px patches, at most 1,536 (shrunk to fit, as documented), times the
  model's multiplier, rounded up.
* Anthropic: ``ceil(w/28) * ceil(h/28)`` visual tokens after scaling to fit the model's limits
  (1,568 px and 1,568 tokens; 2,576 px and 4,784 tokens for Opus 4.7 and later).
* Gemini 2.x: 258 tokens if both sides are at most 384 px, else 258 per crop tile, the crop unit
  being ``floor(min(w, h) / 1.5)`` (documented as "roughly"); Gemini 3+: a fixed budget per image
  by media resolution (1,120 by default).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Literal

Detail = Literal["low", "high", "auto"]


@dataclass(frozen=True)
class Size:
    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def parse_size(text: str) -> Size:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match or not int(match[1]) or not int(match[2]):
        raise ValueError(f"{text!r} is not an image size; write WIDTHxHEIGHT, e.g. 1024x768")
    return Size(int(match[1]), int(match[2]))


# -- reading sizes ------------------------------------------------------------------------------------

_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,(?P<data>.*)$", re.S)
_HEADER_BYTES = 256 * 1024  # enough for any header, EXIF blocks included


def size_of_data_url(url: str) -> Size | None:
    match = _DATA_URL.match(url)
    return size_of_base64(match["data"]) if match else None


def size_of_base64(data: str) -> Size | None:
    head = re.sub(r"\s+", "", data[: _HEADER_BYTES * 4 // 3 + 8])
    head = head[: len(head) // 4 * 4]
    try:
        return size_of_bytes(base64.b64decode(head, validate=False))
    except (binascii.Error, ValueError):
        return None


def size_of_file(path: Path) -> Size | None:
    try:
        with path.open("rb") as file:
            return size_of_bytes(file.read(_HEADER_BYTES))
    except OSError:
        return None


def size_of_bytes(data: bytes) -> Size | None:
    """Width and height from a PNG, JPEG, GIF or WebP header; None if it is none of those."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return _checked(width, height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return _checked(width, height)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
        if data[:2] == b"\xff\xd8":
            return _jpeg(data)
    except struct.error:
        return None
    return None


def _checked(width: int, height: int) -> Size | None:
    return Size(width, height) if width > 0 and height > 0 else None


def _webp(data: bytes) -> Size | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _checked(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        (bits,) = struct.unpack("<I", data[21:25])
        return _checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _checked(width, height)
    return None


_NO_LENGTH = {0x01, *range(0xD0, 0xD9)}
_NOT_FRAMES = {0xC4, 0xC8, 0xCC}


def _jpeg(data: bytes) -> Size | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _NO_LENGTH:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header came
            return None
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in _NOT_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return _checked(width, height)
        at += 2 + length
    return None


# -- token rules --------------------------------------------------------------------------------------


def openai_tiles(size: Size, detail: Detail, base: int, tile: int) -> int:
    if detail == "low":
        return base
    width, height = float(size.width), float(size.height)
    if max(width, height) > 2048:
        scale = 2048 / max(width, height)
        width, height = width * scale, height * scale
    if min(width, height) > 768:
        scale = 768 / min(width, height)
        width, height = width * scale, height * scale
    tiles = math.ceil(math.floor(width) / 512) * math.ceil(math.floor(height) / 512)
    return base + tile * tiles


PATCH = 32


def openai_patches(size: Size, multiplier: Decimal, budget: int = 1536) -> int:
    width, height = size.width, size.height
    patches = math.ceil(width / PATCH) * math.ceil(height / PATCH)
    if patches > budget:
        shrink = math.sqrt(PATCH**2 * budget / (width * height))
        shrink *= min(
            math.floor(width * shrink / PATCH) / (width * shrink / PATCH),
            math.floor(height * shrink / PATCH) / (height * shrink / PATCH),
        )
        width, height = math.floor(width * shrink), math.floor(height * shrink)
        patches = min(budget, math.ceil(width / PATCH) * math.ceil(height / PATCH))
    return int((patches * multiplier).to_integral_value(ROUND_CEILING))


def anthropic(size: Size, max_edge: int = 1568, max_tokens: int = 1568) -> int:
    """Claude's visual tokens: the largest aspect-preserving size within both limits, in 28 px blocks."""

    def count(w: int, h: int) -> int:
        return math.ceil(w / 28) * math.ceil(h / 28)

    def fits(w: int, h: int) -> bool:
        return math.ceil(w / 28) * 28 <= max_edge and math.ceil(h / 28) * 28 <= max_edge and count(w, h) <= max_tokens

    width, height = size.width, size.height
    if fits(width, height):
        return count(width, height)
    portrait = height > width
    if portrait:
        width, height = height, width
    aspect = width / height
    low, high = 1, width
    while low < high:  # the longest long edge that fits
        middle = (low + high + 1) // 2
        if fits(middle, max(round(middle / aspect), 1)):
            low = middle
        else:
            high = middle - 1
    return count(low, max(round(low / aspect), 1))


def gemini_tiles(size: Size) -> int:
    if size.width <= 384 and size.height <= 384:
        return 258
    unit = math.floor(min(size.width, size.height) / 1.5)
    return 258 * math.ceil(size.width / unit) * math.ceil(size.height / unit)


#: Gemini 3+: a fixed budget per image by media resolution.
GEMINI_MEDIA = {"low": 280, "medium": 560, "high": 1120, "ultra_high": 2240, "unspecified": 1120}
