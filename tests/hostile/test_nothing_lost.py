"""Nothing lost: unique run logs, atomic writes that leave the old file intact on a full disk, a
full disk during a bench that keeps the log up to the failure, output paths checked before the
first request, and signals at any moment handled."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmprof.errors import WriteError
from llmprof.files import write_atomic
from tests.e2e.conftest import Run
from tests.hostile.conftest import Server


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """A real, small file system (tmpfs) that fills up; skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def make(kilobytes: int, read_only: bool = False) -> Path:
        target = tmp_path / f"disk{len(mounted)}"
        target.mkdir()
        options = f"size={kilobytes}k" + (",ro" if read_only else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(target)
        return target

    yield make
    for target in mounted:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_two_benches_started_together_keep_both_logs(
    llmprof_exe: str, offline_env: dict[str, str], tmp_path: Path
) -> None:
    command = [llmprof_exe, "bench", "--mock-preset", "instant", "--runs", "3", "--cells", "20x2", "-q"]
    first = subprocess.Popen(command, cwd=tmp_path, env=offline_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, cwd=tmp_path, env=offline_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert first.wait(60) == 0 and second.wait(60) == 0
    logs = sorted((tmp_path / "llmprof-runs").glob("bench-*.jsonl"))
    assert len(logs) == 2
    for log in logs:
        kinds = [json.loads(line)["type"] for line in log.read_text().splitlines()]
        assert kinds == ["header"] + ["request"] * 6 + ["footer"]  # 3 warmups (one per connection) + 3 measured


def test_a_failed_replace_leaves_the_old_file_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "llmprof-baseline.json"
    target.write_bytes(b'{"old": true}\n')

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(WriteError, match="cannot write the baseline \\(No space left on device\\)") as err:
        write_atomic(target, "{}" * 1000, "the baseline")
    assert err.value.hint and "previous file, if any, is unchanged" in err.value.hint
    assert target.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["llmprof-baseline.json"]  # no temp file left


def test_update_baseline_on_a_full_disk_keeps_the_committed_one(run: Run, tiny_disk: Callable[[int], Path]) -> None:
    disk = tiny_disk(16)
    (disk / "p.txt").write_text("hello " * 50)
    (disk / "llmprof.yaml").write_text("prompt_sets:\n  s:\n    paths: [p.txt]\n    models: [gpt-4o-mini, gpt-4.1]\n")
    assert run("check", "--update-baseline", cwd=disk).returncode == 0
    committed = (disk / "llmprof-baseline.json").read_bytes()
    with (disk / "filler").open("wb", buffering=0) as filler:  # fill the disk to the last byte
        try:
            while True:
                filler.write(b"x" * 512)
                filler.flush()
        except OSError:
            pass
    (disk / "p.txt").write_text("hello " * 60)
    done = run("check", "--update-baseline", cwd=disk)
    assert done.returncode == 2, done.stderr
    assert "cannot write the baseline (No space left on device)" in done.stderr and "Traceback" not in done.stderr
    assert (disk / "llmprof-baseline.json").read_bytes() == committed
    assert not [p for p in disk.iterdir() if p.name.endswith(".tmp")]


def test_a_disk_that_fills_during_a_bench_keeps_the_log_so_far(run: Run, tiny_disk: Callable[[int], Path]) -> None:
    disk = tiny_disk(48)
    done = run("bench", "--mock-preset", "instant", "--runs", "400", "--cells", "20x2", "--out", str(disk / "r.json"))
    assert done.returncode == 2, done.stderr
    assert "writing the run log failed (No space left on device)" in done.stderr and "Traceback" not in done.stderr
    lines = (disk / "r.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["type"] == "header" and len(lines) > 20
    for line in lines[:-1]:  # every complete line is a valid record; the last may be cut short
        assert json.loads(line)["type"] in ("header", "request")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("a directory", "is a directory; the result needs a file name"),
        ("inside a file", "is not a directory"),
        ("a read-only file system", "no permission to write in"),
    ],
)
def test_output_paths_are_checked_before_the_first_request(
    run: Run, serve: Callable[..., Server], tmp_path: Path, tiny_disk: Callable[..., Path], where: str, message: str
) -> None:
    server = serve(lambda handler, key: handler.error(500, "should never be asked"))
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x")
    if where == "a read-only file system":
        out = str(tiny_disk(16, read_only=True) / "r.json")
    else:
        out = {"a directory": "dir", "inside a file": "file/r.json"}[where]
    done = run("bench", "-e", server.url + "/v1", "-m", "m", "--out", out, "--runs", "1")
    assert done.returncode == 2 and server.keys == []  # refused before any request
    assert message in done.stderr and "Traceback" not in done.stderr


def test_junit_to_an_impossible_place_is_refused_before_the_check(run: Run, tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("hi")
    (tmp_path / "llmprof.yaml").write_text("prompt_sets:\n  s:\n    paths: [p.txt]\n    models: [gpt-4o-mini]\n")
    assert run("check", "--update-baseline", cwd=tmp_path).returncode == 0
    (tmp_path / "out").write_text("a file, not a folder")
    done = run("check", "--junit", "out/junit.xml", cwd=tmp_path)
    assert done.returncode == 2 and "cannot write the JUnit report there" in done.stderr


def test_an_unwritable_step_summary_does_not_turn_a_pass_into_a_failure(run: Run, tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("hi")
    (tmp_path / "llmprof.yaml").write_text("prompt_sets:\n  s:\n    paths: [p.txt]\n    models: [gpt-4o-mini]\n")
    assert run("check", "--update-baseline", cwd=tmp_path).returncode == 0
    done = run("check", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such" / "dir" / "f.md")})
    assert done.returncode == 0 and "warning:" in done.stderr and "cannot write the job summary" in done.stderr


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, (130, 143))])
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 0.6])
def test_a_signal_at_any_moment_gives_a_clean_exit(
    llmprof_exe: str, offline_env: dict[str, str], tmp_path: Path, signum: int, code: object, delay: float
) -> None:
    """From the moment llmprof speaks (its first note, before the mock starts) to mid-run. A
    signal before that lands in Python's own start-up (site, sitecustomize), where no program can
    catch it: that is the interpreter's, not llmprof's, and the delays count from the first note
    so a busy machine's slow start cannot make this test fail or pass by chance."""
    process = subprocess.Popen(
        [llmprof_exe, "bench", "--mock-preset", "fast", "--runs", "200"],
        cwd=tmp_path, env=offline_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("note: no --endpoint: starting the built-in mock"), first
    time.sleep(delay)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    expected = code if isinstance(code, tuple) else (code,)
    assert process.returncode in expected, first + stderr
    assert "Traceback" not in stderr
