"""What ``--help`` teaches besides the options: examples to copy, and the environment variables
each command reads. Click keeps a paragraph that starts with ``\\b`` as written (no re-wrapping).

``Command`` lists arguments by their metavar (``PATH``), without the framework's type label
(``<list[str]>``), which says nothing to someone typing a command.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

#: Every environment variable llmprof reads, with what it does (tests/test_help.py checks the code
#: reads no other).
ENVIRONMENT = {
    "OPENAI_API_KEY": "bench's key for --provider openai (--api-key-env names another variable)",
    "ANTHROPIC_API_KEY": "bench's key for --provider anthropic",
    "GEMINI_API_KEY": "bench's key for --provider gemini",
    "LLMPROF_CONFIG": "the config file (else ./llmprof.yaml, or [tool.llmprof] in pyproject.toml)",
    "LLMPROF_PRICING": "your rates, laid over the bundled table (as --pricing)",
    "LLMPROF_ENDPOINT": "bench's endpoint, a URL or a name from llmprof.yaml (as --endpoint)",
    "LLMPROF_RUNS_DIR": "where bench keeps each run's request log (as --runs-dir)",
    "LLMPROF_PROGRESS_INTERVAL": "seconds between bench's plain progress lines when stderr is no terminal (10)",
    "LLMPROF_TODAY": 'pins "today" (YYYY-MM-DD): the default --as-of, staleness and shutdown warnings',
    "LLMPROF_DEBUG": "1: an error shows its traceback too (secrets redacted)",
    "NO_COLOR": "any value: no colour",
    "LLMPROF_NO_CACHE": "1: no cache of derived data (the parsed price table, pre-parsed rank tables)",
    "XDG_CACHE_HOME": "where that cache lives (XDG_CACHE_HOME/llmprof, else ~/.cache/llmprof)",
    "GITHUB_ACTIONS": "true: check prints GitHub annotations (as --annotations)",
    "GITHUB_STEP_SUMMARY": "check appends its Markdown report to this file",
    "GITHUB_WORKSPACE": "annotation paths are relative to it (else to the current folder)",
    "HTTPS_PROXY": "HTTPS_PROXY, HTTP_PROXY, NO_PROXY: proxies for remote endpoints, never for 127.0.0.1",
}
#: Read by llmprof itself, not meant to be set by people.
INTERNAL = {"LLMPROF_MOCK_PARENT_WATCH"}
COMMON = ("LLMPROF_TODAY", "LLMPROF_DEBUG", "NO_COLOR")
EXIT_CODES = "Exit codes: 0 success, 1 a budget or check failed, 2 a usage or input error, 130 interrupted."


def _environment(names: tuple[str, ...]) -> str:
    width = max(len(name) for name in names) + 2
    lines = [f"  {name:<{width}}{ENVIRONMENT[name]}" for name in names]
    return "\b\nEnvironment:\n" + "\n".join(lines)


def _examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def epilog(examples: tuple[str, ...], environment: tuple[str, ...] = ()) -> str:
    return "\n\n".join([_examples(*examples), _environment((*environment, *COMMON)), EXIT_CODES])


ROOT = "\n\n".join(
    [
        _examples(
            "llmprof estimate prompt.txt -m gpt-4o-mini,claude-haiku-4-5 --output-tokens 200",
            "llmprof bench --runs 20                  # latency by length, on the built-in mock",
            "llmprof init && llmprof check            # gate a repository's prompts in CI",
        ),
        _environment(tuple(ENVIRONMENT)),
        EXIT_CODES + " `llmprof COMMAND --help` for each command.",
    ]
)

ESTIMATE = epilog(
    (
        "llmprof estimate prompt.txt                                  # the table's default models",
        "llmprof estimate prompt.txt -m gpt-4o-mini -m claude-haiku-4-5 --output-tokens 200",
        "llmprof estimate prompts/ --glob '*.txt' -m gpt-4o-mini,gpt-4.1 --requests 10000",
        "cat request.json | llmprof estimate - -m gpt-4o --format json > cost.json",
        "llmprof estimate long.txt -m gpt-4-32k --as-of 2023-06-01 --max-cost 300",
    ),
    ("LLMPROF_PRICING",),
)
PLAN = epilog(
    (
        "llmprof plan docs/ -m gpt-4o-mini --output-tokens 200 --rpm 50     # each prompt once",
        "llmprof plan doc.txt -m gpt-4o-mini --requests 10000 --rpm 50 --latency 1.4s",
        "llmprof plan plan.yaml                                       # jobs, conversations, agents",
        "llmprof plan plan.yaml --profile run.json --max-p90-latency 2s --format json > plan.json",
    ),
    ("LLMPROF_PRICING",),
)
BENCH = epilog(
    (
        "llmprof bench --runs 20                                      # the built-in mock",
        "llmprof bench -e https://api.openai.com/v1 -m gpt-4o-mini --runs 20   # needs OPENAI_API_KEY",
        "llmprof bench -e http://localhost:8000/v1 -m my-model --price-as llama-3.3-70b-instruct-turbo",
        "llmprof bench --cells 100x10,100x200 --rate 5 --arrival poisson -o run.json",
        "llmprof bench benchmarks/suites/reference-2023.yaml --format markdown > latency.md",
    ),
    (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "LLMPROF_ENDPOINT",
        "LLMPROF_RUNS_DIR",
        "LLMPROF_PROGRESS_INTERVAL",
        "LLMPROF_CONFIG",
        "LLMPROF_PRICING",
        "HTTPS_PROXY",
    ),
)
REPORT = epilog(
    (
        "llmprof report run.json",
        "llmprof report llmprof-runs/bench-20261121-100156.jsonl --percentiles 50,90,99",
        "llmprof report run.json --format markdown > latency.md",
    )
)
COMPARE = epilog(
    (
        "llmprof compare before.json after.json",
        "llmprof compare before.json after.json --fail-on-regression 10   # exit 1 on a real slowdown",
    )
)
CHECK = epilog(
    (
        "llmprof check                                   # against llmprof-baseline.json",
        "llmprof check --update-baseline                 # accept today's costs; commit the file",
        "llmprof check --format markdown --junit junit.xml > report.md",
        "llmprof check --bench-results run.json          # latency budgets too",
        "llmprof check --fail-on-warn                    # warnings fail, except ignore_warnings",
    ),
    ("LLMPROF_CONFIG", "LLMPROF_PRICING", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"),
)
INIT = epilog(
    (
        "llmprof init                                    # prompts in folders named prompts/",
        "llmprof init 'src/**/*.prompt.txt' -m gpt-4o-mini,claude-haiku-4-5",
        "llmprof init --workflow .github/workflows/llmprof.yml",
        "llmprof init --force --requests-per-day 10000   # replace the config and its baseline",
    ),
    ("LLMPROF_PRICING",),
)
PRICING_LIST = epilog(
    ("llmprof pricing list", "llmprof pricing list --provider anthropic --as-of 2025-01-01 --format csv"),
    ("LLMPROF_PRICING",),
)
PRICING_SHOW = epilog(("llmprof pricing show gpt-4o", "llmprof pricing show claude-haiku-4-5 --format json"), ())
PRICING_VALIDATE = epilog(("llmprof pricing validate", "llmprof pricing validate my-rates.yaml"), ())
MOCK_SERVE = epilog(
    (
        "llmprof mock serve --port 8765 --preset fast",
        "llmprof mock serve --port 0 --error-rate 0.1 --rate-limit-rpm 60   # a flaky provider",
    )
)


class Command(TyperCommand):
    """A command whose help lists arguments by metavar only (``PATH``, not ``PATH <list[str]>``)."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments = []
        options = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                arguments.append((name, record[1]))
            else:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)
