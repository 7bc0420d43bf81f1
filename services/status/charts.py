"""The report's chart: RAG per project over the last cycles, as a heat map (PNG bytes)."""

from __future__ import annotations

import io

from models.enums import Rag
from services.status.report import Report, severity

MAX_ROWS = 60
COLORS = {None: "#d9d9d9", Rag.GREEN: "#2e7d32", Rag.AMBER: "#f9a825", Rag.RED: "#c62828"}


def rag_heatmap(report: Report) -> bytes:
    """Rows are projects (worst first, at most 60), columns the cycles, oldest on the left."""
    # matplotlib takes a second to import: loaded only when a chart is drawn, not at start-up.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415
    from matplotlib.colors import ListedColormap  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    lines = sorted(report.projects, key=severity)[:MAX_ROWS]
    order = [None, Rag.GREEN, Rag.AMBER, Rag.RED]
    grid = [[order.index(r) for r in ln.history] for ln in lines] or [[0] * len(report.periods)]
    height = max(2.0, 0.28 * len(lines) + 1.4)
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(report.periods), height), dpi=100)
    try:
        ax.imshow(
            grid, cmap=ListedColormap([COLORS[r] for r in order]), vmin=0, vmax=3, aspect="auto"
        )
        ax.set_xticks(range(len(report.periods)), [p[5:] for p in report.periods], fontsize=8)
        ax.set_yticks(range(len(lines)), [ln.key for ln in lines], fontsize=8)
        ax.set_xticks([x - 0.5 for x in range(1, len(report.periods))], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, len(lines))], minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        more = len(report.projects) - len(lines)
        title = f"RAG by project · last {len(report.periods)} cycles to {report.period}"
        ax.set_title(
            title + (f" (worst {len(lines)} of {len(report.projects)})" if more else ""), fontsize=9
        )
        ax.legend(
            handles=[Patch(color=COLORS[r], label=(r.value if r else "no update")) for r in order],
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize=7,
            frameon=False,
        )
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)
