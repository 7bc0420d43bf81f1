"""The Teams app's two icons, drawn with matplotlib (Agg): the same bytes every time.

- color.png, 192×192: a white checklist on the accent colour, edge to edge.
- outline.png, 32×32: a check mark in a rounded frame, white only, on a transparent ground.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

ACCENT = "#1D3557"  # bot.teams_package.ACCENT (a test keeps them equal)
TICK = "#2A9D8F"
COLOR_SIZE, OUTLINE_SIZE = 192, 32
DPI = 96


def _canvas(size: int) -> tuple[Figure, FigureCanvasAgg]:
    """A transparent square figure of `size` pixels whose axes span [0, 1] both ways."""
    fig = Figure(figsize=(size / DPI, size / DPI), dpi=DPI)
    fig.patch.set_alpha(0.0)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    return fig, FigureCanvasAgg(fig)


def _png(pixels: np.ndarray) -> bytes:
    """PNG bytes of an RGBA uint8 array, without a software or time stamp."""
    out = io.BytesIO()
    no_stamp: dict[str, Any] = {"Software": None}  # None drops matplotlib's default entry
    imsave(out, pixels, format="png", metadata=no_stamp)
    return out.getvalue()


def _pixels(canvas: FigureCanvasAgg) -> np.ndarray:
    canvas.draw()
    return np.array(canvas.buffer_rgba(), dtype=np.uint8)


def _tick(x: float, y: float, scale: float) -> tuple[list[float], list[float]]:
    """The points of a check mark whose corner is near (x, y)."""
    return [x - 0.5 * scale, x, x + scale], [y + 0.45 * scale, y, y + 0.9 * scale]


def color_icon() -> bytes:
    """color.png: 192×192, a white checklist with three ticked rows on the accent colour."""
    fig, canvas = _canvas(COLOR_SIZE)
    ax = fig.axes[0]
    ax.add_patch(Rectangle((0, 0), 1, 1, facecolor=ACCENT, edgecolor="none"))
    ax.add_patch(
        FancyBboxPatch(
            (0.24, 0.14),
            0.52,
            0.70,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor="white",
            edgecolor="none",
        )
    )
    ax.add_patch(  # the clipboard's clip
        FancyBboxPatch(
            (0.40, 0.79),
            0.20,
            0.09,
            boxstyle="round,pad=0,rounding_size=0.03",
            facecolor=TICK,
            edgecolor="none",
        )
    )
    for y in (0.64, 0.46, 0.28):
        xs, ys = _tick(0.36, y, 0.07)
        ax.add_line(Line2D(xs, ys, color=TICK, linewidth=5, solid_capstyle="round"))
        ax.add_line(
            Line2D(
                [0.49, 0.68],
                [y + 0.03, y + 0.03],
                color=ACCENT,
                linewidth=6,
                solid_capstyle="round",
            )
        )
    pixels = _pixels(canvas)
    pixels[..., 3] = 255  # opaque edge to edge
    return _png(pixels)


def outline_icon() -> bytes:
    """outline.png: 32×32, a check mark in a rounded frame; white only, transparent ground."""
    fig, canvas = _canvas(OUTLINE_SIZE)
    ax = fig.axes[0]
    ax.add_patch(
        FancyBboxPatch(
            (0.16, 0.16),
            0.68,
            0.68,
            boxstyle="round,pad=0,rounding_size=0.14",
            facecolor="none",
            edgecolor="white",
            linewidth=1.6,
        )
    )
    xs, ys = _tick(0.45, 0.34, 0.26)
    ax.add_line(Line2D(xs, ys, color="white", linewidth=2.2, solid_capstyle="round"))
    pixels = _pixels(canvas)
    pixels[..., :3] = 255  # white only: the shape is in the alpha channel
    return _png(pixels)
