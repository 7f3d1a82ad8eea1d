"""One self-contained HTML page with a run's tables and plots (images embedded as data URIs)."""

from __future__ import annotations

import base64
import html
import json
import math

import pandas as pd

__all__ = ["report_html", "DaySelector"]

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; margin: 0.5rem 0 1rem; }
.wide { max-width: 100%; overflow-x: auto; }
.day-pick select { font-size: 1rem; margin-left: 0.4rem; }
.summary td { white-space: nowrap; } .summary td:last-child, .summary th:last-child { white-space: normal; text-align: left; min-width: 12rem; }
.summary th, .summary td { padding: 0.25rem 0.45rem; }
"""


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    table = frame.to_html(index=False, border=0, float_format=lambda v: f"{v:,.2f}", na_rep="",
                          classes="summary" if "verdict" in frame.columns else None)
    return f'<div class="wide">{table}</div>'  # wide tables scroll inside the page, never the page


class DaySelector:
    """A report item: one day's interval table at a time, picked from a list of every day.

    ``views``: label -> table (:func:`planner.report.views.interval_views`), first shown first. The
    tables travel as JSON in the page and a few lines of script draw the chosen one (no server; the
    page stays one file). Without script the first day's table is there as plain HTML.
    """

    def __init__(self, views: dict[str, pd.DataFrame]):
        self.views = views

    def html(self) -> str:
        def cell(v):
            return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else (
                f"{v:,.2f}" if isinstance(v, float) else str(v))  # as the tables show them

        days = {label: {"columns": [str(c) for c in view.columns],
                        "rows": [[cell(v) for v in row] for row in view.astype(object).itertuples(index=False)]}
                for label, view in self.views.items()}
        first = next(iter(self.views), None)
        options = "".join(f'<option value="{html.escape(d)}">{html.escape(d)}</option>' for d in self.views)
        fallback = _table(self.views[first]) if first is not None else ""
        data = json.dumps(days, separators=(",", ":")).replace("</", "<\\/")
        return (f'<div class="day-pick"><label>Day:<select id="day-pick">{options}</select></label>'
                f'<div id="day-view">{fallback}</div></div>\n<script>(() => {{\n'
                f"const days = {data};\n"
                "const pick = document.getElementById('day-pick'), view = document.getElementById('day-view');\n"
                "const esc = v => v === null ? '' : String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;');\n"
                "pick.addEventListener('change', () => { const d = days[pick.value];\n"
                "  view.innerHTML = '<div class=\"wide\"><table><thead><tr>' + d.columns.map(c => '<th>' + esc(c) + '</th>').join('')"
                " + '</tr></thead><tbody>' + d.rows.map(r => '<tr>' + r.map(v => '<td>' + esc(v) + '</td>').join('') + '</tr>')"
                ".join('') + '</tbody></table></div>'; });\n})();</script>")


def report_html(*, title: str, meta: str, sections: list[tuple[str, list]]) -> str:
    """The report page. ``sections`` is a list of ``(heading, items)`` where each item is a
    DataFrame (rendered as a table), ``(png_bytes, alt_text)`` (an embedded image), a
    :class:`DaySelector` or a string (a paragraph).

    >>> page = report_html(title="Plan", meta="test", sections=[("Daily", [pd.DataFrame({"a": [1.0]})])])
    >>> page.startswith("<!DOCTYPE html>") and "<table" in page
    True
    """
    body = [f"<h1>{html.escape(title)}</h1>", f'<p class="meta">{html.escape(meta)}</p>']
    for heading, items in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        for item in items:
            if isinstance(item, pd.DataFrame):
                body.append(_table(item))
            elif isinstance(item, DaySelector):
                body.append(item.html())
            elif isinstance(item, tuple):
                body.append(_image(*item))
            else:
                body.append(f"<p>{html.escape(str(item))}</p>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
