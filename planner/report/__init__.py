"""Reports of a run: roll-ups, plots, a self-contained HTML page, Excel, atomic output folders."""

from planner.report.compare import compare, compare_figure
from planner.report.html import report_html
from planner.report.output import OutputFolder, figure_png, write_csv_atomic
from planner.report.plots import daily_fte_figure, forecast_figure, staffing_heatmap
from planner.report.rollup import channel_summary, rollup

__all__ = ["rollup", "forecast_figure", "staffing_heatmap", "daily_fte_figure", "report_html",
           "OutputFolder", "figure_png", "compare", "compare_figure", "write_csv_atomic",
           "channel_summary"]
