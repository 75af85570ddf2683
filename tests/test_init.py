"""`llmprof init`'s pieces: finding prompts, the config it writes, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof import config, init
from llmprof.errors import UsageError
from llmprof.pricing import PriceTable

DAY = dt.date(2026, 6, 1)


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_prompts_are_found_in_prompt_folders_only(table: PriceTable, tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "prompts/a.txt": "Answer briefly.",
            "prompts/deep/b.txt": "Summarise.",
            "prompts/c.md": "# Role\nYou translate.",
            "prompts/chat.json": '[{"role": "user", "content": "Hi"}]',
            "prompts/schema.json": '{"type": "object"}',
            "prompts/.hidden.txt": "no",
            "src/app/prompt/d.prompt": "Classify this ticket.",
            "src/notes.txt": "not a prompt folder",
            ".venv/lib/prompts/x.txt": "someone else's",
            "node_modules/pkg/prompts/y.txt": "someone else's",
        },
    )
    chosen = init.plan(tmp_path / "llmprof.yaml", table, [], ["mini"])
    assert chosen.patterns == (
        "prompts/chat.json",  # the other .json is not a prompt: this kind is listed file by file
        "prompts/**/*.md",
        "prompts/**/*.txt",
        "src/app/prompt/**/*.prompt",
    )
    assert chosen.prompts == (
        "prompts/chat.json",
        "prompts/c.md",
        "prompts/a.txt",
        "prompts/deep/b.txt",
        "src/app/prompt/d.prompt",
    )
    assert chosen.skipped == ("prompts/schema.json: not a request shape llmprof knows",)


def test_the_config_says_what_each_key_means_and_parses(table: PriceTable, tmp_path: Path) -> None:
    _tree(tmp_path, {"prompts/a.txt": "Answer briefly."})
    chosen = init.plan(tmp_path / "llmprof.yaml", table, [], ["mini", "long"], requests_per_day=500)
    text = chosen.text
    assert "    models: [mini, long] # the models your app calls" in text
    assert "reasoning_tokens" not in text  # neither reasons unless asked
    assert "    requests_per_day: 500 # per prompt: totals are per day\n" in text
    assert "  max_cost_increase_pct: 5 # per prompt, and in total, against the baseline\n" in text
    assert "# ignore_warnings: [count-approx]\n" in text
    snap = init.apply(chosen, table, DAY)
    parsed = config.load(cwd=tmp_path)
    assert parsed.prompt_sets["prompts"].models == ("mini", "long")
    assert parsed.budgets.max_cost_increase_pct == Decimal(5)
    saved = json.loads((tmp_path / "llmprof-baseline.json").read_text())
    assert len(saved["items"]) == len(snap.items) == 2


def test_a_model_that_reasons_by_default_gets_reasoning_tokens_with_a_comment(
    table: PriceTable, tmp_path: Path
) -> None:
    _tree(tmp_path, {"prompts/a.txt": "Answer briefly."})
    assert table.resolve("cachey").reasoning == "default"
    chosen = init.plan(tmp_path / "llmprof.yaml", table, [], ["mini", "cachey"])
    assert (
        "    # cachey reasons by default, and hidden reasoning bills as output.\n"
        "    # 0 says your requests turn reasoning off; otherwise write the average reasoning tokens\n"
        "    # per request that the API's usage reports. Without this key a cost is only a lower\n"
        "    # bound, which no budget can pass.\n"
        "    reasoning_tokens: 0\n"
    ) in chosen.text
    snap = init.apply(chosen, table, DAY)
    assert not any(item.lower_bound for item in snap.items)  # so the first check can pass
    text = init.render_config(("prompts/*.txt",), [table.resolve("mini")], 200, 64, None, Decimal(5), None)
    assert "    # hidden reasoning tokens per request, billed as output\n    reasoning_tokens: 64\n" in text


def test_existing_configs_are_never_replaced_without_force(table: PriceTable, tmp_path: Path) -> None:
    _tree(tmp_path, {"prompts/a.txt": "Hi", "pyproject.toml": "[tool.llmprof]\nbaseline = 'b.json'\n"})
    with pytest.raises(UsageError, match=r"pyproject.toml already exists: init never replaces a config"):
        init.plan(tmp_path / "llmprof.yaml", table, [], ["mini"])
    assert init.plan(tmp_path / "llmprof.yaml", table, [], ["mini"], force=True).prompts == ("prompts/a.txt",)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["nothing/*.txt"], "nothing/*.txt: nothing matches it"),
        (["prompts/schema.json"], "prompts/schema.json: not a request shape llmprof knows"),
        (["/elsewhere/p.txt"], "/elsewhere/p.txt: outside"),
        (["empty"], "empty: no prompt files in it"),
    ],
)
def test_given_paths_must_be_prompts_inside_the_project(
    table: PriceTable, tmp_path: Path, given: list[str], message: str
) -> None:
    _tree(tmp_path, {"prompts/a.txt": "Hi", "prompts/schema.json": '{"type": "object"}', "empty/x.bin": "x"})
    with pytest.raises(UsageError) as info:
        init.plan(tmp_path / "llmprof.yaml", table, given, ["mini"])
    assert info.value.message.startswith(message)


def test_a_folder_argument_is_searched_like_a_prompts_folder(table: PriceTable, tmp_path: Path) -> None:
    _tree(tmp_path, {"templates/a.j2": "Hello {{ name }}", "templates/b.txt": "Hi"})
    chosen = init.plan(tmp_path / "llmprof.yaml", table, ["templates"], ["mini"])
    assert chosen.patterns == ("templates/**/*.j2", "templates/**/*.txt")


def test_the_workflow_runs_where_the_config_is(table: PriceTable, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {"services/chat/prompts/a.txt": "Hi"})
    chosen = init.plan(tmp_path / "services" / "chat" / "llmprof.yaml", table, [], ["mini"])
    text = init.workflow(chosen)
    assert '      - "services/chat/prompts/**/*.txt"\n      - "services/chat/llmprof.yaml"\n' in text
    assert "    defaults:\n      run:\n        working-directory: services/chat\n    steps:\n" in text
