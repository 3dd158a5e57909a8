"""Output formats: separate small renderers over one `report.Report`.

Each module has `render(report, *, color=False) -> str`; `FORMATS` maps the `--format`
word to it. Only the text format uses colour, and only when the CLI says the output is a
terminal.
"""

from __future__ import annotations

from collections.abc import Callable

from ..report import Report
from . import json as json_format
from . import junit, markdown, text

Renderer = Callable[..., str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_format.render,
    "markdown": markdown.render,
    "junit": junit.render,
}

__all__ = ["FORMATS", "Renderer", "render"]


def render(report: Report, fmt: str, *, color: bool = False, **options: object) -> str:
    """The report in format `fmt` (one of FORMATS); `options` go to the renderer (text takes
    `only_problems` and `width`)."""
    return FORMATS[fmt](report, color=color, **options)
