"""The page frame every HTML document shares: one self-contained page (inline CSS, images as data URIs,
no script, no external request), tables from DataFrames, numbered sections with a contents list."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;
color:#1f2328;line-height:1.4;padding:0 1em}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.8em}
.badge{display:inline-block;padding:.2em .8em;border-radius:1em;color:#fff;font-weight:600;text-transform:uppercase}
table.t{border-collapse:collapse;font-size:.85em;margin:.5em 0} .t th,.t td{padding:.25em .6em;
border-bottom:1px solid #eaeef2;text-align:right} .t th{background:#f6f8fa} .t td:first-child{text-align:left}
img{max-width:100%} .note{color:#57606a;font-size:.9em} .toc{columns:2;font-size:.9em}
.signoff td{height:2.2em;min-width:9em;border:1px solid #8c959f} .plots img{max-width:49%}
@media print{h2{break-before:page} img{break-inside:avoid}}
"""


def table(frame: pd.DataFrame, digits: int = 4) -> str:
    """A DataFrame as an HTML table: no index, floats to ``digits`` places, text escaped."""
    return frame.to_html(
        index=False,
        border=0,
        classes="t",
        na_rep="",
        float_format=lambda v: f"{v:.{digits}f}",
        escape=True,
    )


def image(png: bytes | Path | str, alt: str) -> str:
    """An <img> of a PNG (bytes, a file, or already base64 text) embedded as a data URI."""
    if isinstance(png, Path):
        png = png.read_bytes()
    data = png if isinstance(png, str) else base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def paragraph(text: str, note: bool = False) -> str:
    """Escaped text as a paragraph (``note``: the small grey style)."""
    return f"<p{' class=note' if note else ''}>{html.escape(text)}</p>"


def items(lines: Sequence[str]) -> str:
    """Escaped lines as a bullet list."""
    return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines if line) + "</ul>"


def page(title: str, header: Sequence[str], sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """One HTML document: ``title``, ``header`` parts, a contents list and numbered ``(heading, parts)``."""
    contents = "".join(
        f"<li><a href='#s{i}'>{i}. {html.escape(heading)}</a></li>"
        for i, (heading, _) in enumerate(sections, 1)
    )
    body = [
        f"<h2 id='s{i}'>{i}. {html.escape(heading)}</h2>\n" + "\n".join(parts)
        for i, (heading, parts) in enumerate(sections, 1)
    ]
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>",
            *header,
            f"<ol class='toc'>{contents}</ol>" if len(sections) > 3 else "",
            *body,
            "</body></html>",
        ]
    )
