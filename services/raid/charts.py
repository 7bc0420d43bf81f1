"""The report's risk heat map: open threats by probability and impact, 5×5, each cell
coloured by its band and showing its count (PNG bytes)."""

from __future__ import annotations

import io

from services.raid.portfolio import RaidSummary

COLORS = {"red": "#c62828", "amber": "#f9a825", "green": "#2e7d32"}


def heat_map(s: RaidSummary, period: str) -> bytes:
    """Probability up the side (5 at the top), impact along the bottom."""
    # matplotlib takes a second to import: loaded only when a chart is drawn, not at start-up.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=100)
    try:
        for p in range(1, 6):
            for i in range(1, 6):
                n = s.heat[p - 1][i - 1]
                color = COLORS[s.band_of(p, i)]
                ax.add_patch(
                    Rectangle(
                        (i - 0.5, p - 0.5),
                        1,
                        1,
                        facecolor=color,
                        alpha=0.9 if n else 0.25,
                        edgecolor="white",
                        linewidth=2,
                    )
                )
                if n:
                    ax.text(
                        i,
                        p,
                        str(n),
                        ha="center",
                        va="center",
                        fontsize=12,
                        fontweight="bold",
                        color="white",
                    )
        ax.set_xlim(0.5, 5.5)
        ax.set_ylim(0.5, 5.5)
        ax.set_xticks(range(1, 6))
        ax.set_yticks(range(1, 6))
        ax.set_xlabel("Impact")
        ax.set_ylabel("Probability")
        ax.set_aspect("equal")
        ax.set_title(f"Open risks · {period} · {s.open_risks} open, {s.red_total} red", fontsize=9)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)
