"""GitHub-flavoured Markdown: ready for a PR comment or a job summary."""

from __future__ import annotations

from typing import TextIO

from llmprof.render.view import View


def render(view: View, out: TextIO) -> None:
    out.write(to_markdown(view))


def to_markdown(view: View, level: int = 3) -> str:
    lines = [f"{'#' * level} {view.title}", ""]
    if not view.rows:
        lines.append(view.empty)
    else:
        lines.append("| " + " | ".join(_cell(c.header) for c in view.columns) + " |")
        lines.append("| " + " | ".join("---:" if c.align == "right" else "---" for c in view.columns) + " |")
    for index, row in enumerate(view.rows):
        cells = [f"**{_cell(v)}**" if index in view.bold and v else _cell(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    if view.footer:
        lines.append("")
        lines.extend(f"{line}  " for line in view.footer)
    text = "\n".join(lines) + "\n"
    for extra in view.extra:
        text += "\n" + to_markdown(extra, level + 1)
    return text


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")
