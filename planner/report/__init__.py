"""Reports of a run: roll-ups, plots, a self-contained HTML page, Excel, atomic output folders."""

from planner.report.compare import compare, compare_figure
from planner.report.html import report_html
from planner.report.output import OutputFolder, check_destination, figure_png, write_csv_atomic
from planner.report.plots import daily_fte_figure, forecast_figure, staffing_heatmap
from planner.report.rollup import rollup, summary_table

__all__ = ["rollup", "summary_table", "forecast_figure", "staffing_heatmap", "daily_fte_figure", "report_html",
           "OutputFolder", "check_destination", "figure_png", "compare", "compare_figure", "write_csv_atomic"]
