"""`llmprof estimate` on whole API requests: tools, images and reasoning priced part by part, with
labels; what cannot be counted makes a lower bound, said aloud."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Run
from tests.test_counting import COOKBOOK_MESSAGES, COOKBOOK_TOOLS
from tests.test_images import png

IMAGE = "data:image/png;base64," + base64.b64encode(png(1024, 1024)).decode()


def _batch(tmp_path: Path, *extra: dict[str, Any]) -> Path:
    def line(custom_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}

    lines = [
        line("tools", {"model": "gpt-4o", "messages": COOKBOOK_MESSAGES, "tools": COOKBOOK_TOOLS}),
        line("image", {"model": "gpt-4o", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "What is in this image?"},
            {"type": "image_url", "image_url": {"url": IMAGE, "detail": "high"}}]}]}),
        line("reasoning", {"model": "o3", "messages": COOKBOOK_MESSAGES, "reasoning_effort": "high"}),
        *extra,
    ]  # fmt: skip
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in lines))
    return path


def _rows(stdout: str) -> dict[str, dict[str, Any]]:
    return {row["model"]: row for row in json.loads(stdout)["rows"]}


def test_a_batch_of_requests_is_priced_part_by_part(run: Run, tmp_path: Path) -> None:
    batch = _batch(tmp_path)
    done = run("estimate", str(batch), "--output-tokens", "100", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    gpt4o = rows["gpt-4o"]
    # the cookbook's tool example (68 tool tokens) and a 1024x1024 high-detail image (765)
    assert gpt4o["parts"] == {
        "text": {"tokens": 31, "count": "exact"},
        "framing": {"tokens": 15, "count": "exact"},
        "tools": {"tokens": 68, "count": "exact"},
        "images": {"tokens": 765, "count": "exact"},
    }
    assert (gpt4o["input_tokens"], gpt4o["count"], gpt4o["requests"]) == (879, "exact", 2)
    assert gpt4o["input_cost_usd"] == "0.0021975"  # 879 x $2.50 / 1M
    o3 = rows["o3"]
    # o3 reasons by an amount the request does not say: its cost is a floor, and labelled one
    assert (o3["input_tokens"], o3["reasoning_tokens"], o3["output_tokens"]) == (33, 0, 100)
    assert o3["lower_bound"] == ["hidden reasoning tokens (none allowed for)"]
    assert o3["reasoning_basis"] == ["unknown"] and gpt4o["reasoning_basis"] == ["none"]

    table = run("estimate", str(batch), "--output-tokens", "100")
    assert "Prompt tokens by part" in table.stdout
    assert "│ gpt-4o │ 31 exact │ 15 exact │ 68 exact │ 765 exact │ exact │" in table.stdout
    assert (
        "│ o3     │        33 │ exact │        100 │ $0.000066 │ ≥$0.0008 │  ≥$0.000866 │ ≥$0.000866 │" in table.stdout
    )
    assert (
        "≥ a lower bound: o3 bills hidden reasoning tokens as output, and none are allowed for; "
        "pass --reasoning-tokens N."
    ) in table.stdout
    budget = run("estimate", str(batch), "--output-tokens", "100", "--max-cost", "1")
    assert budget.returncode == 1
    assert "error: --max-cost $1.00 not evaluated: o3 is at least $0.000866" in budget.stderr


def test_reasoning_tokens_bill_as_output(run: Run, tmp_path: Path) -> None:
    thinking = {"custom_id": "claude", "body": {"model": "claude-sonnet-4-5", "max_tokens": 8000, "system": "Be brief.",
                "thinking": {"type": "enabled", "budget_tokens": 2000},
                "messages": [{"role": "user", "content": "Why is the sky blue?"}]}}  # fmt: skip
    batch = _batch(tmp_path, thinking)
    done = run("estimate", str(batch), "--output-tokens", "100", "--format", "json")
    claude = _rows(done.stdout)["claude-sonnet-4-5"]
    # the request's thinking budget is its reasoning allowance: 2,000 + 100 visible, at $15 / 1M
    assert (claude["reasoning_tokens"], claude["output_tokens"], claude["count"]) == (2000, 2100, "approx")
    assert claude["output_cost_usd"] == "0.0315" and claude["reasoning_cost_usd"] == "0.03"
    given = run("estimate", str(batch), "--output-tokens", "100", "--reasoning-tokens", "500", "--format", "json")
    rows = _rows(given.stdout)
    assert (rows["o3"]["reasoning_tokens"], rows["o3"]["output_tokens"]) == (500, 600)
    assert rows["o3"]["output_cost_usd"] == "0.0048"  # 600 x $8 / 1M
    assert rows["o3"]["lower_bound"] == [] and rows["o3"]["reasoning_basis"] == ["assumed"]
    # a model that does not reason bills none, whatever the flag says
    assert (rows["gpt-4o"]["reasoning_tokens"], rows["gpt-4o"]["output_tokens"]) == (0, 200)


def test_claude_thinks_only_when_the_request_asks(run: Run, tmp_path: Path) -> None:
    def body(**extra: Any) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-5", "max_tokens": 8000, **extra,
                "messages": [{"role": "user", "content": "Why is the sky blue?"}]}  # fmt: skip

    plain, adaptive = tmp_path / "plain.json", tmp_path / "adaptive.json"
    plain.write_text(json.dumps(body()))
    adaptive.write_text(json.dumps(body(thinking={"type": "adaptive"})))
    done = run("estimate", str(plain), str(adaptive), "--output-tokens", "100", "--format", "json")
    rows = {row["prompt"]: row for row in json.loads(done.stdout)["rows"]}
    assert rows[str(plain)]["reasoning_basis"] == ["off"] and rows[str(plain)]["lower_bound"] == []
    assert rows[str(adaptive)]["reasoning_basis"] == ["unknown"]
    assert rows[str(adaptive)]["lower_bound"] == ["hidden reasoning tokens (none allowed for)"]
    text = run("estimate", "-m", "claude-sonnet-4-5", "-m", "o3", "--output-tokens", "10", input="Hello")
    assert "claude-sonnet-4-5: no reasoning, its API's default (--reasoning-tokens N if you turn it on)." in text.stdout
    assert "≥ a lower bound: o3 bills hidden reasoning tokens" in text.stdout
    assert "← cheapest" not in text.stdout  # the lowest figure is a floor: nothing to point at


def test_an_uncounted_audio_part_makes_a_lower_bound(run: Run, tmp_path: Path) -> None:
    audio = {"custom_id": "audio", "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]}]}}  # fmt: skip
    done = run("estimate", str(_batch(tmp_path, audio)), "--output-tokens", "100", "--format", "json")
    assert done.returncode == 0
    gpt4o = _rows(done.stdout)["gpt-4o"]
    assert gpt4o["count"] == "lower-bound"
    assert gpt4o["uncounted"] == ["messages[0].content[0]: audio input (billed at audio rates)"]
    assert (
        "warning: gpt-4o: not counted, so the figure is a lower bound: "
        "messages[0].content[0]: audio input (billed at audio rates)"
    ) in done.stderr


def test_a_remote_image_needs_its_size(run: Run, tmp_path: Path) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}}]}]}  # fmt: skip
    path = tmp_path / "remote.json"
    path.write_text(json.dumps(body))
    unknown = run("estimate", str(path), "--format", "json")
    assert json.loads(unknown.stdout)["rows"][0]["count"] == "lower-bound"
    assert "pass --image-size WxH to count it" in unknown.stderr
    sized = run("estimate", str(path), "--image-size", "1024x1024", "--format", "json")
    row = json.loads(sized.stdout)["rows"][0]
    assert row["parts"]["images"] == {"tokens": 765, "count": "approx"} and row["count"] == "approx"


def test_limits_warn_and_strict_refuses(run: Run, tmp_path: Path) -> None:
    prompt = tmp_path / "p.txt"
    prompt.write_text("hello")
    done = run("estimate", str(prompt), "-m", "gpt-4o", "--output-tokens", "20000")
    assert done.returncode == 0
    assert "20,000 output tokens exceed its maximum output of 16,384: the API would refuse it" in done.stderr
    strict = run("estimate", str(prompt), "-m", "gpt-4o", "--output-tokens", "20000", "--strict")
    assert strict.returncode == 2 and "exceed its maximum output of 16,384" in strict.stderr


def test_the_python_api_refuses_a_path_given_as_text(tmp_path: Path) -> None:
    import pytest

    from llmprof import estimate_cost
    from llmprof.errors import InputError

    with pytest.raises(InputError, match=re.escape("'examples/prompts/support.txt' looks like a file name")):
        estimate_cost("examples/prompts/support.txt", model="gpt-4o-mini")
    with pytest.raises(InputError, match="no such file"):
        estimate_cost(path=tmp_path / "missing.txt", model="gpt-4o-mini")
    text = estimate_cost(text="examples/prompts/support.txt", model="gpt-4o-mini")
    assert text.input_tokens == 5  # what was asked: the string itself
