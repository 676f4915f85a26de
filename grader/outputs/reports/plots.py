"""The class report's plots: matplotlib figures saved as SVG and inlined into the page.

Each plot is an accessible image (role="img", a <title> and a <desc> saying what it shows)
and deterministic: a fixed hash salt and no date, so the same numbers give the same bytes.
Text stays text (svg.fonttype none): it is smaller, selectable and uses the page's fonts.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from grader.core.fsutil import atomic_write_bytes

# Charts scale with the page: at most their natural size (1 pt = 4/3 px, so 11 pt is 14.7 px on
# a desktop), and down to a phone's 365-px column. A 4.4-inch figure (317 pt) shrinks by at
# most 317 / 365 < 1 there, so text of 11 pt never drops below 11 px (tests/e2e/test_pages_mobile).
FONT_PT = 11
WIDTH_IN = 4.4
MAX_LABEL = 18  # characters of an exercise's label beside its bar; the table has the full id
RC: dict[Any, Any] = {
      "svg.hashsalt": "grader-reports", "svg.fonttype": "none", "text.parse_math": False,
      "font.family": "sans-serif", "font.size": FONT_PT, "axes.spines.top": False,
      "axes.spines.right": False, "axes.edgecolor": "#57606a", "axes.labelcolor": "#1b1f24",
      "xtick.color": "#1b1f24", "ytick.color": "#1b1f24"}
BAR = "#0b5cad"
# Score bands, from no points to full marks: dark enough for white text nowhere needed,
# distinguishable in grey scale and for the common colour-vision deficiencies.
BAND_COLOURS = ("#b3261e", "#e8912d", "#8cc084", "#1a7f37")
BAND_LABELS = ("no points", "under half", "half or more", "full marks")
_ID = re.compile(r'\bid="([^"]+)"')


def cached(cache_dir: Path | None, plot_id: str, inputs: Any, draw: Callable[[], str]) -> str:
    """The plot drawn from `inputs`, kept in `cache_dir` and reused while they stay the same.

    A plot is a pure function of its inputs, this module's code and matplotlib's version, so a
    regrade that changed no score reads the SVG back instead of drawing it again (matplotlib
    was most of an unchanged regrade's class report). Older versions of the plot are removed.
    """
    if cache_dir is None:
        return draw()
    digest = hashlib.sha256(repr((_code_hash(), _mpl_version(), plot_id, inputs))
                            .encode()).hexdigest()[:32]
    path = Path(cache_dir) / f"{plot_id}-{digest}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    svg = draw()
    try:
        atomic_write_bytes(path, svg.encode("utf-8"), durable=False)
        for old in Path(cache_dir).glob(f"{plot_id}-*.svg"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs the next run the drawing
    return svg


_CODE: list[str] = []


def _mpl() -> Any:
    """matplotlib, imported when a plot is first drawn: importing it takes longer (0.6 s) than
    the rest of an unchanged regrade, which draws nothing."""
    import matplotlib

    # Never a GUI backend; we only ever save files. Not get_backend(): resolving the default
    # backend imports pyplot (a second per drawing run); use() only records the choice.
    matplotlib.use("Agg")
    return matplotlib


def _mpl_version() -> str:
    from importlib.metadata import version

    return version("matplotlib")


def _code_hash() -> str:
    if not _CODE:
        _CODE.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    return _CODE[0]


def _svg(fig: Figure, *, plot_id: str, title: str, desc: str) -> str:
    buf = io.StringIO()
    with _mpl().rc_context(RC):
        _fit_width(fig)
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return accessible_svg(buf.getvalue(), plot_id=plot_id, title=title, desc=desc)


def _fit_width(fig: Figure) -> None:
    """Narrow the figure until its tight box (with the labels outside the axes) is WIDTH_IN:
    every chart then has the same scale on a page, so the same text size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    for _ in range(3):
        excess = fig.get_tightbbox(renderer).width - WIDTH_IN
        if abs(excess) < 0.02:
            return
        fig.set_figwidth(max(fig.get_figwidth() - excess, 1.0))


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
    with _mpl().rc_context(RC):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(width, height))
        return fig, fig.add_subplot()


def score_histogram(counts: Sequence[int], *, plot_id: str = "plot-totals",
                    mean: float | None = None) -> str:
    """Bars of students per 10-point band of the total, counts written on the bars."""
    with _mpl().rc_context(RC):
        fig, ax = _figure(WIDTH_IN, 2.4)
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
    with _mpl().rc_context(RC):
        fig, ax = _figure(WIDTH_IN, 1.2 + 0.32 * max(len(rows), 1))
        labels = [_short(label) for label, _ in rows][::-1]
        left = [0.0] * len(rows)
        for b, (colour, name) in enumerate(zip(BAND_COLOURS, BAND_LABELS)):
            shares = [100 * counts[b] / max(sum(counts), 1) for _, counts in rows][::-1]
            ax.barh(labels, shares, left=left, color=colour, label=name, height=0.7)
            left = [a + s for a, s in zip(left, shares)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("students (%)")
        ax.legend(ncols=2, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False,
                  handlelength=1.2, columnspacing=1.0)
    desc = "; ".join(f"{label}: " + ", ".join(f"{n} {name}" for n, name in
                                              zip(counts, BAND_LABELS))
                     for label, counts in rows)
    return _svg(fig, plot_id=plot_id, title="Score distribution per exercise",
                desc=f"Students per score band, for each exercise. {desc}.")


def _short(label: str) -> str:
    """A label cut to MAX_LABEL characters: a long one would widen the chart, so shrink its
    text below legibility on a phone."""
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"
