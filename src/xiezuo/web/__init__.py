"""Dashboard pages: Gantt data and charts built from a plan."""

from xiezuo.web.gantt import GanttBar, gantt_bars, gantt_figure, gantt_html

__all__ = ["GanttBar", "gantt_bars", "gantt_figure", "gantt_html"]
