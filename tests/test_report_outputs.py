"""The report and workbook a planner reads, for 1, 4 and 32 channels (issue 18).

The workbook is read back with openpyxl: formats, frozen panes, UTC offsets and values equal to the
CSVs. The report page is opened in a real headless Chromium (``chromium --headless --dump-dom`` runs
a check script in the page): no horizontal overflow, every image loaded, the summary and the FTE per
day tables present with the values of ``summary.csv`` and ``daily.csv``; screenshots go to the
test's temporary folder. Without a browser (CI) those tests are skipped.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from planner.report import rollup
from planner.report.plots import MANY
from planner.report.publish import write_run
from planner.report.views import day_label, interval_view
from planner.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("voice", "chat", "deferred", "deferred")


def _run(n_channels: int, days: int = 7):
    """A run's frames for ``n_channels`` synthetic channels (no forecasting or staffing: fast)."""
    rng = np.random.default_rng(n_channels)
    starts = pd.date_range("2026-10-19", periods=96 * days, freq="15min", tz="Europe/London")  # a DST week
    hour = starts.hour + starts.minute / 60
    names = ["phone"] if n_channels == 1 else [f"queue_{k + 1:02d}" for k in range(n_channels)]
    plans, history = [], []
    for k, name in enumerate(names):
        kind = KINDS[k % 4]
        offered = np.maximum(0.0, 40 * np.sin(np.pi * (hour - 7) / 13) * (0.5 + k / n_channels))
        offered = np.where((hour >= 7) & (hour < 20), offered, 0.0) + rng.uniform(0, 1, starts.size)
        fractional = offered * 0.3 + rng.uniform(0, 1, starts.size)
        plans.append(pd.DataFrame({
            "interval_start": starts, "channel": name, "offered": offered, "offered_lo": 0.8 * offered,
            "offered_hi": 1.2 * offered, "aht_s": 300.0, "kind": kind, "agents": np.ceil(fractional).astype(int),
            "agents_fractional": fractional, "agents_gross": fractional / 0.7, "shrinkage": 0.3,
            "service_level": rng.uniform(0.78, 0.95, starts.size) if kind != "deferred" else rng.uniform(0.97, 1, starts.size),
            "target_service_level": 0.8 if kind != "deferred" else 0.99,
            "asa_s": rng.uniform(2, 30, starts.size), "abandon_rate": rng.uniform(0, 0.05, starts.size),
            "open": True}))
        history.append(pd.DataFrame({"interval_start": starts - pd.Timedelta(days=days), "channel": name,
                                     "offered": offered}))
    plan = pd.concat(plans, ignore_index=True)
    forecast = plan[["interval_start", "channel", "offered", "offered_lo", "offered_hi", "aht_s"]]
    daily, weekly = rollup(plan, by="day", interval_s=900), rollup(plan, by="week", interval_s=900)
    result = SimpleNamespace(history=pd.concat(history, ignore_index=True), forecast=forecast, plan=plan, daily=daily,
                             weekly=weekly, calibration=None, schedule=None, timings={})
    base = Scenario.load(ROOT / "scenarios" / "base.toml").config
    config = dataclasses.replace(base, channels={n: {"kind": p["kind"].iloc[0]} for n, p in zip(names, plans)})
    return result, config


def _write(tmp_path: Path, n_channels: int, xlsx: bool = False, workers=None) -> tuple[Path, SimpleNamespace]:
    result, config = _run(n_channels)
    out = tmp_path / f"out{n_channels}-{workers}"
    write_run(result, out, config=config, title=f"{n_channels} channels", specs={}, protect=[],
              manifest=lambda r: {}, xlsx=xlsx, workers=workers)
    return out, result


def test_the_process_pool_writes_the_same_files():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        serial, _ = _write(Path(tmp), 4, workers=1)
        pooled, _ = _write(Path(tmp), 4, workers=2)
        names = sorted(p.name for p in serial.iterdir())
        assert names == sorted(p.name for p in pooled.iterdir()) and "agents_queue_04.png" in names
        for name in names:
            assert (serial / name).read_bytes() == (pooled / name).read_bytes(), name


def test_workbook_has_formats_frozen_headers_offsets_and_the_csv_values(tmp_path):
    out, result = _write(tmp_path, 4, xlsx=True)
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=False)
    assert book.sheetnames[0] == "summary"
    summary_csv = pd.read_csv(out / "summary.csv")
    sheet = book["summary"]
    header = [c.value for c in sheet[1]]
    assert header == list(summary_csv.columns) and sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(summary_csv) + 1}"
    column = {name: i + 1 for i, name in enumerate(header)}
    assert sheet.cell(2, column["service_level"]).number_format == "0.0%"
    assert sheet.cell(2, column["fte"]).number_format == "#,##0.0"
    assert sheet.column_dimensions["A"].width >= len("channel")
    for r, row in enumerate(summary_csv.itertuples(index=False), start=2):
        for name in ("fte", "fte_gross", "peak_agents", "at_risk"):
            assert sheet.cell(r, column[name]).value == pytest.approx(getattr(row, name), rel=1e-9)
        assert sheet.cell(r, column["verdict"]).value == row.verdict

    plan_csv = pd.read_csv(out / "plan.csv")
    sheet = book["plan"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["interval_start", "utc_offset", "channel"] and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(plan_csv)
    stamps = [pd.Timestamp(f"{r[0]:%Y-%m-%d %H:%M:%S}{r[1]}") for r in rows]  # local time + its offset
    assert stamps == [pd.Timestamp(s) for s in plan_csv["interval_start"]]
    assert sum(s.isoformat().endswith("01:00:00+00:00") for s in stamps) == 4  # the repeated DST hour
    for name in ("offered", "agents", "service_level", "asa_s"):
        i = header.index(name)
        np.testing.assert_allclose([r[i] for r in rows], plan_csv[name].to_numpy(float), rtol=1e-9)
    i = header.index("service_level")
    assert sheet.cell(2, i + 1).number_format == "0.0%"
    assert sheet.cell(2, header.index("agents") + 1).number_format == "#,##0"
    settings = book["channel settings"]
    assert {"channel", "kind", "shrinkage"} <= {c.value for c in settings[1]} and settings.max_row == 5  # one row each

    daily_csv = pd.read_csv(out / "daily.csv")
    sheet = book["FTE per day"]
    table = {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    channels = [c.value for c in sheet[1]][1:]
    for row in daily_csv.itertuples(index=False):
        label = pd.Timestamp(row.period).strftime("%a %Y-%m-%d")
        assert table[label][channels.index(row.channel)] == pytest.approx(row.fte_gross, rel=1e-9)


# --- the report page in a real browser ---------------------------------------------------------------

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine (apt-get install chromium)")

CHECK = """<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const result = {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    images: images.length, broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt),
  };
  const pick = document.getElementById("day-pick");  // the day selector: choose the last day
  if (pick) {
    pick.value = pick.options[pick.options.length - 1].value;
    pick.dispatchEvent(new Event("change"));
    result.days = [...pick.options].map(o => o.value);
    result.picked = [...document.querySelectorAll("#day-view tr")].map(r => [...r.cells].map(c => c.textContent));
  }
  document.body.setAttribute("data-check", JSON.stringify(result));
});
</script></body>"""


class _Tables(HTMLParser):
    """The page's tables (cell texts) and its data-check attribute."""

    def __init__(self):
        super().__init__()
        self.tables, self.check, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "body" and dict(attrs).get("data-check"):
            self.check = json.loads(dict(attrs)["data-check"])
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None


def _browse(page: Path, tmp_path: Path, width: int = 1280) -> _Tables:
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text().replace("</body>", CHECK))
    common = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              f"--window-size={width},2000", "--virtual-time-budget=10000"]
    dom = subprocess.run([*common, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120)
    subprocess.run([*common, f"--screenshot={tmp_path / f'report-{page.parent.name}.png'}", page.as_uri()],
                   capture_output=True, timeout=120)
    parser = _Tables()
    parser.feed(dom.stdout)
    assert parser.check is not None, dom.stderr[-2000:]
    return parser


@needs_browser
@pytest.mark.parametrize("n_channels", [1, 4, 32])
def test_report_in_a_browser(tmp_path, n_channels):
    out, result = _write(tmp_path, n_channels)
    page = _browse(out / "report.html", tmp_path)
    assert page.check["overflow"] <= 0, "the page scrolls sideways"
    # a forecast and a heatmap per channel, or beyond MANY channels one small-multiples figure of each
    assert page.check["broken"] == [] and page.check["images"] == (2 * n_channels if n_channels <= MANY else 2) + 1
    if n_channels > MANY:
        assert {"forecasts.png", "agents.png"} <= {p.name for p in out.iterdir()}
        assert not list(out.glob("forecast_*.png")) and not list(out.glob("agents_*.png"))
    assert (tmp_path / f"report-{out.name}.png").stat().st_size > 10_000  # the screenshot
    summary = pd.read_csv(out / "summary.csv")
    first = page.tables[0]  # the summary comes first
    assert first[0][:3] == ["channel", "FTE net", "FTE gross"]
    shown = {row[0]: row for row in first[1:]}
    for row in summary.itertuples(index=False):
        assert shown[row.channel][1] == f"{row.fte:,.1f}" and shown[row.channel][2] == f"{row.fte_gross:,.1f}"
        assert shown[row.channel][-1] == row.verdict
    daily = pd.read_csv(out / "daily.csv")
    fte = next(t for t in page.tables if t[0][0] == "day")  # days x channels, gross
    columns = fte[0]
    rows = {r[0]: r for r in fte[1:]}
    for row in daily.itertuples(index=False):
        label = pd.Timestamp(row.period).strftime("%a %Y-%m-%d")
        assert rows[label][columns.index(row.channel)] == f"{row.fte_gross:,.2f}"
    assert rows["Total"][-1] == f"{daily['fte_gross'].sum():,.2f}"
    days = sorted(result.plan["interval_start"].dt.date.unique())
    assert page.check["days"] == [day_label(d) for d in days]  # every day can be chosen
    view = interval_view(result.plan, days[-1])
    picked = page.check["picked"]
    assert picked[0] == list(view.columns) and len(picked) == len(view) + 1
    assert [r[0] for r in picked[1:]] == view["interval_start"].tolist()
    assert [r[-2] for r in picked[1:]] == [str(v) for v in view["Total"]]
