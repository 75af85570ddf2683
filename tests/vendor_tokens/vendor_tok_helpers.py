"""Helpers for the vendor-tokenizer tests: skip cleanly when the ``tokenizers`` extra is missing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from llmprof import vendor_tokenizers as vt


def need_family(family: str) -> Path:
    """The installed tokenizer file of ``family``, or a skip saying which package is missing."""
    if not vt.available(family):
        reqs = " or ".join(vt.FAMILIES[family].requirements)
        pytest.skip(f"{family}: tokenizers extra not installed ({reqs}); {vt.INSTALL_HINT}")
    found = vt.locate(family)
    assert found is not None
    return found[1]


def need_module(name: str, why: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} not installed: {why}")
