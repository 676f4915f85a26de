"""The class report's plots: matplotlib figures saved as SVG and inlined into the page.

Each plot is an accessible image (role="img", a <title> and a <desc> saying what it shows)
and deterministic: a fixed hash salt and no date, so the same numbers give the same bytes.
Text stays text (svg.fonttype none): it is smaller, selectable and uses the page's fonts.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never a GUI backend; we only ever save files

from matplotlib.figure import Figure

RC: dict[Any, Any] = {
      "svg.hashsalt": "grader-reports", "svg.fonttype": "none", "text.parse_math": False,
      "font.family": "sans-serif", "font.size": 10, "axes.spines.top": False,
      "axes.spines.right": False, "axes.edgecolor": "#57606a", "axes.labelcolor": "#1b1f24",
      "xtick.color": "#1b1f24", "ytick.color": "#1b1f24"}
BAR = "#0b5cad"
# Score bands, from no points to full marks: dark enough for white text nowhere needed,
# distinguishable in grey scale and for the common colour-vision deficiencies.
BAND_COLOURS = ("#b3261e", "#e8912d", "#8cc084", "#1a7f37")
BAND_LABELS = ("no points", "under half", "half or more", "full marks")
_ID = re.compile(r'\bid="([^"]+)"')


def _svg(fig: Figure, *, plot_id: str, title: str, desc: str) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return accessible_svg(buf.getvalue(), plot_id=plot_id, title=title, desc=desc)


def accessible_svg(svg: str, *, plot_id: str, title: str, desc: str) -> str:
    """Matplotlib's SVG made fit for inlining: no prologue, no page-wide <style>, ids prefixed
    (two plots on one page must not share ids), sized by CSS, with a title and description."""
    svg = svg[svg.index("<svg"):]
    # Its stylesheet is `* {...}`, which inside an HTML page would apply to the whole page.
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = _ID.sub(lambda m: f'id="{plot_id}-{m.group(1)}"', svg)
    svg = re.sub(r'(url\(#|href="#)', rf"\1{plot_id}-", svg)
    head_end = svg.index(">") + 1
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    # At most its natural size (points to CSS pixels), so every plot's text has the same size.
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ', head)
    natural = f' style="max-width: {float(box.group(1)) * 4 / 3:.0f}px"' if box else ""
    head = head.replace(
        "<svg", f'<svg class="plot" role="img" aria-labelledby="{plot_id}-title {plot_id}-desc"'
        f"{natural}", 1)
    label = (f'<title id="{plot_id}-title">{html.escape(title)}</title>'
             f'<desc id="{plot_id}-desc">{html.escape(desc)}</desc>')
    return head + label + svg[head_end:].strip() + "\n"


def _figure(width: float, height: float) -> Any:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height))
        return fig, fig.add_subplot()


def score_histogram(counts: Sequence[int], *, plot_id: str = "plot-totals",
                    mean: float | None = None) -> str:
    """Bars of students per 10-point band of the total, counts written on the bars."""
    with matplotlib.rc_context(RC):
        fig, ax = _figure(5.6, 2.5)
        width = 100 / len(counts)
        lefts = [i * width for i in range(len(counts))]
        bars = ax.bar(lefts, counts, width=width * 0.92, align="edge", color=BAR)
        ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2)
        if mean is not None:
            ax.axvline(mean, color="#1b1f24", linestyle="--", linewidth=1)
            ax.text(mean, max(counts, default=0) * 1.12 + 0.4, f" mean {mean:.0f}%",
                    ha="left", va="top", color="#1b1f24")
        ax.set_xlim(0, 100)
        ax.set_ylim(0, max(counts, default=0) * 1.2 + 1)
        ax.set_xticks(range(0, 101, 10))
        ax.set_xlabel("total score (%)")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
    bands = ", ".join(f"{int(lefts[i])}–{int(lefts[i] + width)}%: {c}"
                      for i, c in enumerate(counts))
    return _svg(fig, plot_id=plot_id, title="Distribution of total scores",
                desc=f"Students per band of the total score. {bands}.")


def exercise_bands(rows: Sequence[tuple[str, Sequence[int]]], *,
                   plot_id: str = "plot-exercises") -> str:
    """One horizontal bar per exercise, split into the share of students in each score band."""
    with matplotlib.rc_context(RC):
        fig, ax = _figure(5.6, 0.9 + 0.3 * max(len(rows), 1))
        labels = [label for label, _ in rows][::-1]
        left = [0.0] * len(rows)
        for b, (colour, name) in enumerate(zip(BAND_COLOURS, BAND_LABELS)):
            shares = [100 * counts[b] / max(sum(counts), 1) for _, counts in rows][::-1]
            ax.barh(labels, shares, left=left, color=colour, label=name, height=0.7)
            left = [a + s for a, s in zip(left, shares)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("students (%)")
        ax.legend(ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False,
                  fontsize=9, handlelength=1.2)
    desc = "; ".join(f"{label}: " + ", ".join(f"{n} {name}" for n, name in
                                              zip(counts, BAND_LABELS))
                     for label, counts in rows)
    return _svg(fig, plot_id=plot_id, title="Score distribution per exercise",
                desc=f"Students per score band, for each exercise. {desc}.")
