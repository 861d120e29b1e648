"""One look for every figure: run plots, notebooks and reports share these colours and matplotlib settings.

Plot functions wrap their drawing in ``styled`` (the settings apply while the figure is drawn and leave the
caller's rcParams alone); a notebook calls ``use()`` once to draw its own figures the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import matplotlib
import matplotlib.style
from cycler import cycler

GOOD = "#2b8cbe"  # goods, safer bins, positive WOE
BAD = "#e34a33"  # bads, riskier bins, event rates
COUNT = "#9ecae1"  # row counts
MUTED = "#bdbdbd"  # special and missing bins, references
INK = "#252525"  # predictions, reference lines
PALETTE = ("#2b6cb0", "#e34a33", "#1a7f37", "#b35900", "#6a51a3", "#636363", "#0f8b8d", "#c51b7d")

RC: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
}

P = ParamSpec("P")
R = TypeVar("R")


def styled(draw: Callable[P, R]) -> Callable[P, R]:
    """Run a plot function with the house settings in force."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.style.context(RC):
            return draw(*args, **kwargs)

    return wrapper


def use() -> None:
    """Make the house settings the default for the session (notebooks)."""
    matplotlib.style.use(RC)
