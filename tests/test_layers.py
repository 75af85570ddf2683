"""Arrows only point down: cli -> render -> services -> requests -> domain -> core.

Every import in the package, the lazy ones inside functions included, goes to a module of the
same layer or a lower one. A back-edge (say, a service importing a renderer) fails here with the
file, the line and the two layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "llmprof"

#: Lowest first. A module belongs to the first layer with a prefix that matches it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "core",
        (
            "llmprof.errors",
            "llmprof.units",
            "llmprof.dates",
            "llmprof.secrets",
            "llmprof.files",
            "llmprof.cache",
            "llmprof.net",
            "llmprof.talk",
            "llmprof.stats",
            "llmprof.yamlio",
            "llmprof.apis",
            "llmprof.signals",
        ),
    ),
    ("domain", ("llmprof.tokens", "llmprof.ranks", "llmprof.vendor_tokenizers", "llmprof.pricing", "llmprof.images")),
    ("requests", ("llmprof.config", "llmprof.inputs", "llmprof.requests", "llmprof.counting")),
    (
        "services",
        (
            "llmprof.estimate",
            "llmprof.api",
            "llmprof.check",
            "llmprof.compare",
            "llmprof.bench",
            "llmprof.mock",
            "llmprof.plan",
            "llmprof.init",
        ),
    ),
    ("render", ("llmprof.render",)),
    ("cli", ("llmprof.cli", "llmprof.__main__")),
]


def layer_of(module: str) -> int:
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def imports(path: Path, module: str) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("llmprof.") and _is_module(name)]


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_down(module: str, path: Path) -> None:
    if module == "llmprof":
        return  # the package's lazy facade (llmprof.estimate_cost) re-exports the API
    mine = layer_of(module)
    for target, line in imports(path, module):
        theirs = layer_of(target)
        assert theirs <= mine, (
            f"{path.relative_to(PACKAGE.parent)}:{line}: {module} ({LAYERS[mine][0]}) imports "
            f"{target} ({LAYERS[theirs][0]}), a higher layer"
        )


def test_every_module_has_a_layer() -> None:
    for module, _ in modules():
        if module != "llmprof":
            layer_of(module)


def test_the_walk_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    seen = {name for name, _ in imports(PACKAGE / "cli" / "bench.py", "llmprof.cli.bench")}
    assert "llmprof.bench.session" in seen  # imported inside the command function
    fake = tmp_path / "estimate.py"
    fake.write_text("def f():\n    from llmprof.render import bench\n")
    [(name, line)] = [i for i in imports(fake, "llmprof.estimate") if i[0] == "llmprof.render.bench"]
    assert layer_of(name) > layer_of("llmprof.estimate") and line == 2
