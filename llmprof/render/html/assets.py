"""The chart runtime an HTML report inlines: Vega, Vega-Lite and vega-embed, vendored unchanged in
``vendor/`` (see its README for where they come from) and checked against the sha256 pinned here
before they go into a report, the way the bundled encodings are checked before they count."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources

from llmprof.errors import LlmprofError

VENDOR = "vendor"


@dataclass(frozen=True)
class Bundle:
    file: str
    package: str  # on npm
    version: str
    licence: str
    sha256: str


#: In load order: vega-lite needs vega, vega-embed needs both.
BUNDLES = (
    Bundle(
        "vega.min.js",
        "vega",
        "6.4.0",
        "BSD-3-Clause",
        "8f6a3587cf8d4f42c7e08120e3eb05d067e746d554e39d2dcf52acc0bd5ba28f",
    ),
    Bundle(
        "vega-lite.min.js",
        "vega-lite",
        "6.4.3",
        "BSD-3-Clause",
        "35a9821df838825b05a6a73e9414b58747a1b18321583858ed903c66393a5c7e",
    ),
    Bundle(
        "vega-embed.min.js",
        "vega-embed",
        "7.3.0",
        "BSD-3-Clause",
        "b1455caba2fb1a72fb46025ba0ba1316e2dbc7f0dd40a3f6040172bf9c08ba91",
    ),
)
#: The licence notices every report carries (the bundles are redistributed inside it).
LICENCES = ("LICENSE.vega", "LICENSE.vega-lite", "LICENSE.vega-embed", "LICENSE.d3")
REINSTALL = "reinstall llmprof-cli (pip install --force-reinstall llmprof-cli); the file ships inside it."


def _read(name: str) -> bytes:
    try:
        return (resources.files(__package__ or "llmprof.render.html") / VENDOR / name).read_bytes()
    except OSError as exc:
        raise LlmprofError(f"the HTML report's chart runtime is missing ({VENDOR}/{name})", REINSTALL) from exc


def verified(bundle: Bundle, data: bytes) -> str:
    """The bundle's text, ready to inline, once its bytes match the pinned hash."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != bundle.sha256:
        raise LlmprofError(
            f"the HTML report's chart runtime {bundle.file} is not {bundle.package} {bundle.version} "
            f"(sha256 {digest[:16]}..., expected {bundle.sha256[:16]}...)",
            REINSTALL,
        )
    text = data.decode("utf-8")
    # The source map it names is not shipped; a browser's developer tools would look for it.
    lines = [line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")]
    text = "\n".join(lines)
    if "</script" in text.lower() or "<!--" in text:
        raise LlmprofError(f"{bundle.file} cannot be inlined in a <script> element", REINSTALL)
    return text


@functools.cache
def scripts() -> tuple[str, ...]:
    """Every bundle's text, in load order, each checked against its pin."""
    return tuple(verified(bundle, _read(bundle.file)) for bundle in BUNDLES)


@functools.cache
def licences() -> str:
    return "\n\n".join(_read(name).decode("utf-8").strip() for name in LICENCES)


def credits() -> str:
    return ", ".join(f"{b.package} {b.version} ({b.licence})" for b in BUNDLES)
