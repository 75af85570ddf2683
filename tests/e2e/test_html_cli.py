"""`--html FILE` and `report --format html -o FILE` end to end: the installed CLI writes one
self-contained page per result, beside the usual output, offline (the browser test in
tests/render draws such pages; this checks the commands that write them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess
from tests.e2e.conftest import Run
from tests.render.html_cases import EXPECTED
from tests.render.test_html import parse, payload
from tests.test_config import MINIMAL

BENCH_CHARTS = EXPECTED["bench"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with MockProcess(MockSettings(preset="fast", ttft_ms=20.0, itl_ms=2.0, jitter=0.1, seed=7)) as server:
        yield server


def _bench(run: Run, mock: MockProcess, out: Path, *extra: str) -> None:
    args = ["-e", mock.url, "-m", "mock", "--cells", "40x1,40x8", "--runs", "4", "--warmup", "0", "--no-log"]
    done = run("bench", *args, "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr


def test_bench_report_and_compare_write_their_pages(run: Run, mock: MockProcess, tmp_path: Path) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    page = tmp_path / "bench.html"
    _bench(run, mock, before, "--html", str(page))
    _bench(run, mock, after)
    data = payload(page.read_text(encoding="utf-8"))
    assert list(data["charts"]) == BENCH_CHARTS
    assert [row["cell"] for row in data["datasets"]["requests"]].count("40x8") == 4  # every request a row

    # report: -o writes the file (nothing on stdout); without -o the same page goes to a pipe
    to_file = run("report", str(before), "--format", "html", "-o", str(tmp_path / "report.html"))
    to_pipe = run("report", str(before), "--format", "html")
    assert (to_file.returncode, to_file.stdout, to_pipe.returncode) == (0, "", 0), to_file.stderr
    written = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert written == to_pipe.stdout  # one result, one page: the same bytes either way
    assert written.startswith("<!DOCTYPE html>") and list(payload(written)["charts"]) == BENCH_CHARTS
    # --html beside a text format: the table on stdout as ever, the page in the file
    side = run("report", str(before), "--format", "json", "--html", str(tmp_path / "side.html"))
    assert side.returncode == 0 and json.loads(side.stdout)["kind"] == "llmprof.bench"
    assert (tmp_path / "side.html").read_text(encoding="utf-8") == written

    compared = run("compare", str(before), str(after), "--html", str(tmp_path / "compare.html"))
    assert compared.returncode == 0, compared.stderr
    assert "Verdict" in compared.stdout
    compare_page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert list(payload(compare_page)["charts"]) == EXPECTED["compare"]
    panels = {row["panel"].split(":")[0] for row in payload(compare_page)["charts"]["compare-ecdf"]["data"]["values"]}
    assert panels == {"40x1 e2e", "40x1 ttft", "40x8 e2e", "40x8 ttft"}


def test_check_writes_its_page_on_a_failed_check_too(run: Run, tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "answer.txt").write_text("hello" + " hello" * 4999)
    (tmp_path / "prompts" / "greet.txt").write_text("hello" + " hello" * 299)
    (tmp_path / "llmprof.yaml").write_text(MINIMAL)
    assert run("check", "--update-baseline", cwd=tmp_path).returncode == 0
    (tmp_path / "prompts" / "answer.txt").write_text("hello" + " hello" * 5499)  # 10% longer
    done = run("check", "--html", "check.html", cwd=tmp_path)
    assert done.returncode == 1  # the budget is breached, and the page still says why
    page = (tmp_path / "check.html").read_text(encoding="utf-8")
    assert list(payload(page)["charts"]) == EXPECTED["check"]
    text = " ".join(parse(page).text)
    assert "llmprof check FAILED" in text and "prompts/answer.txt" in text


def test_an_unwritable_html_path_is_refused_before_the_run(run: Run, mock: MockProcess, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    for target, message in (
        (
            tmp_path,
            f"{tmp_path}: is a directory; the HTML report needs a file name\n  hint: e.g. {tmp_path}/result.html",
        ),
        (
            tmp_path / "a-file" / "r.html",
            f"cannot write the HTML report there: {tmp_path / 'a-file'} is not a directory",
        ),
    ):
        done = run("bench", "-e", mock.url, "-m", "mock", "--runs", "2", "--no-log", "--html", str(target))
        assert done.returncode == 2, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
        assert "p50" not in done.stdout  # refused before any request, not after the run
