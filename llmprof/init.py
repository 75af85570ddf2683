"""``llmprof init``: from a repository with prompts to a gated one in one command.

It finds the prompt files (or takes the globs it is given), writes a commented ``llmprof.yaml``
with a default budget, prices every prompt to write the first baseline, and renders the GitHub
Actions workflow that runs ``llmprof check`` on pull requests. Nothing is written until all of it
has worked (a prompt that cannot be read is an error before any file exists), an existing config
is never replaced without ``force``, and every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from llmprof import __version__, config
from llmprof.check.items import Snapshot, save, snapshot
from llmprof.config import CONFIG_NAMES, DEFAULT_BASELINE
from llmprof.errors import LlmprofError, UsageError
from llmprof.files import write_atomic
from llmprof.inputs import Source, read_source
from llmprof.pricing import ModelPrice, PriceTable
from llmprof.yamlio import Section, parse_yaml

#: Folders whose files are prompts, and the kinds of file read as prompts there.
PROMPT_DIRS = ("prompts", "prompt")
PROMPT_SUFFIXES = (".txt", ".md", ".prompt", ".j2", ".jinja", ".jinja2", ".tmpl", ".json", ".jsonl")
#: Never searched: other people's code, build output, environments.
SKIP_DIRS = {"node_modules", "venv", "site-packages", "__pycache__", "dist", "build", "target", "llmprof-runs"}
SET_NAME = "prompts"
DEFAULT_OUTPUT_TOKENS = 200
DEFAULT_INCREASE_PCT = Decimal(5)
WORKFLOW = ".github/workflows/llmprof.yml"


@dataclass(frozen=True)
class Plan:
    """What ``init`` found and will write."""

    root: Path  # the config's folder
    config_path: Path
    baseline_path: Path
    patterns: tuple[str, ...]  # as written in the config, relative to root
    prompts: tuple[str, ...]
    models: tuple[str, ...]
    text: str  # the config file
    skipped: tuple[str, ...] = ()  # files found but not readable as prompts, with the reason


def existing_config(root: Path, target: Path) -> Path | None:
    """A config ``init`` must not silently replace: the target, or one ``check`` would read here."""
    if target.exists():
        return target
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and b"[tool.llmprof" in pyproject.read_bytes():
        return pyproject
    return None


def plan(
    target: Path,
    table: PriceTable,
    paths: list[str],
    models: list[str],
    output_tokens: int = DEFAULT_OUTPUT_TOKENS,
    reasoning_tokens: int | None = None,
    requests_per_day: int | None = None,
    max_cost_increase_pct: Decimal = DEFAULT_INCREASE_PCT,
    pricing: Path | None = None,
    force: bool = False,
) -> Plan:
    root = target.parent
    found = existing_config(root, target)
    if found is not None and not force:
        raise UsageError(
            f"{found} already exists: init never replaces a config",
            "edit it (the README's Configuration section lists every key), or pass --force to write a new one "
            "and a new baseline.",
        )
    priced = [table.resolve(name) for name in dict.fromkeys(models or table.default_models[:1])]
    if not priced:
        raise UsageError("no model given and the pricing table has no default_models", "pass -m MODEL")
    patterns, prompts, skipped = _given(root, paths) if paths else _discover(root)
    text = render_config(
        patterns,
        priced,
        output_tokens,
        reasoning_tokens,
        requests_per_day,
        max_cost_increase_pct,
        os.path.relpath(pricing, root) if pricing else None,
    )
    return Plan(
        root,
        target,
        root / DEFAULT_BASELINE,
        patterns,
        prompts,
        tuple(m.name for m in priced),
        text,
        skipped,
    )


def apply(plan: Plan, table: PriceTable, today: dt.date) -> Snapshot:
    """Price the prompts with the config as written (so what the first ``check`` reads is what was
    tested), then write the config and the baseline."""
    project = config.parse(Section(str(plan.config_path), parse_yaml(plan.text, str(plan.config_path))), plan.root)
    snap = snapshot(project, table, today)
    write_atomic(plan.config_path, plan.text, "the config")
    save(plan.baseline_path, snap)
    return snap


# -- finding prompts ----------------------------------------------------------------------------------


def _given(root: Path, paths: list[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Globs, files or folders the user named: each must match a prompt file llmprof can read."""
    patterns: list[str] = []
    prompts: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_absolute() or raw.startswith("~"):
            path = Path(os.path.relpath(Path(raw).expanduser(), root))
            if path.parts and path.parts[0] == "..":
                raise UsageError(f"{raw}: outside {root}", "name prompts inside the project folder.")
        if (root / path).is_dir():
            found, files, skipped = _search(root, root / path)
            if not found:
                raise UsageError(f"{raw}: no prompt files in it", _SEARCHED)
            if skipped:
                name, reason = skipped[0]
                raise UsageError(f"{name}: {reason}", "name the prompt files, or a glob that leaves it out.")
            patterns += found
            prompts += files
            continue
        pattern = path.as_posix()
        matches = sorted(p for p in root.glob(pattern) if p.is_file()) if _is_glob(pattern) else [root / path]
        if not matches or not matches[0].is_file():
            raise UsageError(f"{raw}: nothing matches it (relative to {root})", "check the path or the glob.")
        for match in matches:
            why = _unreadable(match)
            if why:
                raise UsageError(f"{match.relative_to(root).as_posix()}: {why}", "leave that file out.")
        patterns.append(pattern)
        prompts += [m.relative_to(root).as_posix() for m in matches]
    return tuple(dict.fromkeys(patterns)), tuple(dict.fromkeys(prompts)), ()


_SEARCHED = (
    f"pass the prompt files, a folder or a glob, e.g. llmprof init 'src/**/*.txt' (by default init looks in "
    f"folders named {' or '.join(p + '/' for p in PROMPT_DIRS)} for {', '.join(PROMPT_SUFFIXES)} files)."
)


def _discover(root: Path) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    patterns: list[str] = []
    prompts: list[str] = []
    skipped: list[str] = []
    for folder in _prompt_folders(root):
        found, files, bad = _search(root, folder)
        patterns += found
        prompts += files
        skipped += [f"{name}: {reason}" for name, reason in bad]
    if not prompts:
        raise UsageError(f"no prompt files found under {root.resolve()}", _SEARCHED)
    return tuple(patterns), tuple(prompts), tuple(skipped)


def _prompt_folders(root: Path) -> list[Path]:
    """Folders named like PROMPT_DIRS, outermost only, in a stable order."""
    found: list[Path] = []
    for current, dirs, _ in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        if Path(current).name in PROMPT_DIRS and Path(current) != root:
            found.append(Path(current))
            dirs[:] = []  # its subfolders are covered by its globs
    return found


def _search(root: Path, folder: Path) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """One glob per kind of file in ``folder`` (``prompts/**/*.txt``), or, for a kind with a file
    that is not a prompt llmprof can read, the readable files of that kind one by one."""
    by_suffix: dict[str, list[Path]] = {}
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(current) / name
            if path.suffix.lower() in PROMPT_SUFFIXES and not name.startswith("."):
                by_suffix.setdefault(path.suffix, []).append(path)
    patterns: list[str] = []
    prompts: list[str] = []
    skipped: list[tuple[str, str]] = []
    base = folder.relative_to(root).as_posix()
    for suffix, paths in sorted(by_suffix.items()):
        readable = []
        for path in paths:
            reason = _unreadable(path)
            if reason:
                skipped.append((path.relative_to(root).as_posix(), reason))
            else:
                readable.append(path.relative_to(root).as_posix())
        if len(readable) == len(paths):
            patterns.append(f"{base}/**/*{suffix}")
        else:
            patterns += readable
        prompts += readable
    return patterns, prompts, skipped


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be priced as a prompt (not text, an unknown JSON shape ...), or None."""
    try:
        read_source(Source(path.name, path))
    except LlmprofError as exc:
        return exc.message.removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")
    return None


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


# -- what is written ----------------------------------------------------------------------------------


def render_config(
    patterns: tuple[str, ...],
    models: list[ModelPrice],
    output_tokens: int,
    reasoning_tokens: int | None,
    requests_per_day: int | None,
    max_cost_increase_pct: Decimal,
    pricing: str | None,
) -> str:
    """The commented ``llmprof.yaml``: what each key means, and the ones worth adding later."""
    names = [m.name for m in models]
    reasoners = [m.name for m in models if m.reasoning == "default"]
    lines = [
        "# llmprof.yaml, written by `llmprof init`. `llmprof check` prices every prompt set below with",
        "# today's pricing table and compares it with the committed baseline; a budget over its limit",
        "# exits 1. Every key: the Configuration section of llmprof's README.",
        "prompt_sets:",
        f"  {SET_NAME}:",
        "    paths: # globs, relative to this file",
        *(f"      - {_quote(p)}" for p in patterns),
        f"    models: [{', '.join(names)}] # the models your app calls; `llmprof pricing list` names them all",
        f"    output_tokens: {output_tokens} # visible completion tokens per request: your estimate",
    ]
    if reasoners or reasoning_tokens is not None:
        value = 0 if reasoning_tokens is None else reasoning_tokens
        if reasoners:
            lines += [
                f"    # {', '.join(reasoners)} reason{'s' if len(reasoners) == 1 else ''} by default, and hidden "
                "reasoning bills as output.",
                "    # 0 says your requests turn reasoning off; otherwise write the average reasoning tokens",
                "    # per request that the API's usage reports. Without this key a cost is only a lower",
                "    # bound, which no budget can pass.",
            ]
        else:
            lines.append("    # hidden reasoning tokens per request, billed as output")
        lines.append(f"    reasoning_tokens: {value}")
    if requests_per_day is None:
        lines.append("    # requests_per_day: 10000 # per prompt: totals per day, and max_cost_per_day")
    else:
        lines.append(f"    requests_per_day: {requests_per_day} # per prompt: totals are per day")
    lines += [
        "budgets:",
        f"  max_cost_increase_pct: {max_cost_increase_pct} # per prompt, and in total, against the baseline",
        "  # max_cost_per_request: 0.01 # USD",
        "  # max_cost_per_day: 25.00 # USD, per prompt set and model (needs requests_per_day)",
        "  # warn_at_pct: 80 # a figure at this share of its limit is a warning",
        "# Warnings that --fail-on-warn lets pass, by code: pricing-stale, model-shutdown, count-approx,",
        "# latency-skipped. Ignored warnings are still reported, as ignored.",
        "# ignore_warnings: [count-approx]",
        f"baseline: {DEFAULT_BASELINE} # commit it; `llmprof check --update-baseline` rewrites it",
    ]
    if pricing:
        lines.append(f"pricing: {_quote(Path(pricing).as_posix())} # your rates, laid over the bundled table")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workflow(plan: Plan, repo_root: Path | None = None) -> str:
    """The GitHub Actions workflow for this project (the template in llmprof/templates)."""
    top = repo_root or _repository_root(plan.root)
    folder = Path(os.path.relpath(plan.root.resolve(), top.resolve())).as_posix()
    return render_workflow(
        [*plan.patterns, plan.config_path.name, plan.baseline_path.name], "" if folder == "." else folder
    )


def render_workflow(watched: list[str], folder: str = "") -> str:
    """The template with the files whose changes run the check, and the config's folder (relative
    to the repository's root; "" for the root)."""
    prefix = f"{folder}/" if folder else ""
    paths = [*(prefix + p for p in watched), "pyproject.toml", WORKFLOW]
    template = resources.files("llmprof").joinpath("templates/github-actions.yml").read_text(encoding="utf-8")
    defaults = f"    defaults:\n      run:\n        working-directory: {folder}\n" if folder else ""
    return (
        template.replace("@PATHS@", "\n".join(f"      - {_quote(p)}" for p in dict.fromkeys(paths)))
        .replace("@DEFAULTS@", defaults)
        .replace("@DIR@", prefix)
        .replace("@VERSION@", __version__)
    )


def _repository_root(start: Path) -> Path:
    for folder in [start.resolve(), *start.resolve().parents]:
        if (folder / ".git").exists():
            return folder
    return start
