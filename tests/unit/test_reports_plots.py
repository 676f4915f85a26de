"""Plots: deterministic, inline-safe, accessible SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.outputs.reports import plots

SVG = "{http://www.w3.org/2000/svg}"


def test_same_numbers_same_bytes() -> None:
    assert plots.score_histogram([1, 0, 2, 3, 0, 0, 1, 4, 2, 1], mean=55.0) == \
        plots.score_histogram([1, 0, 2, 3, 0, 0, 1, 4, 2, 1], mean=55.0)
    rows = [("1. a", (1, 2, 3, 4)), ("2. b", (0, 0, 0, 5))]
    assert plots.exercise_bands(rows) == plots.exercise_bands(rows)


def test_svg_is_accessible_and_well_formed() -> None:
    svg = plots.score_histogram([0] * 9 + [3], mean=None, plot_id="p1")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "p1-title p1-desc"
    assert root.find(f"{SVG}title").text == "Distribution of total scores"  # type: ignore
    assert "90–100%: 3" in root.find(f"{SVG}desc").text  # type: ignore
    assert root.get("width") is None and root.get("viewBox")  # sized by the page's CSS


def test_svg_is_safe_to_inline_twice_on_one_page() -> None:
    a = plots.score_histogram([1] * 10, plot_id="one")
    b = plots.exercise_bands([("1. x", (1, 1, 1, 1))], plot_id="two")
    assert "<style" not in a + b and "<?xml" not in a + b and "DOCTYPE" not in a + b
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and ids_b and not ids_a & ids_b
    assert all(i.startswith("one-") for i in ids_a)
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', a + b):
        assert ref in ids_a | ids_b, ref


def test_titles_are_escaped() -> None:
    svg = plots.accessible_svg('<svg viewBox="0 0 1 1" width="1pt"><g/></svg>', plot_id="x",
                               title="<b>&</b>", desc="d")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in svg and "<b>" not in svg


def test_drawing_a_plot_does_not_import_pyplot() -> None:
    """pyplot (and resolving matplotlib's default backend, which imports it) cost a second of
    every run that draws, a one-student CI grade included; plots need only Figure and SVG."""
    import json
    import subprocess
    import sys

    probe = ("import json, sys; from grader.outputs.reports import plots; "
             "svg = plots.score_histogram([1, 2, 3, 0]); "
             "print(json.dumps(['<svg' in svg, 'matplotlib.pyplot' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    drew, pyplot = json.loads(done.stdout.strip().splitlines()[-1])
    assert drew and not pyplot
