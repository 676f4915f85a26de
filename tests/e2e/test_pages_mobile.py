"""Pages on a 390-px phone and a desktop, in a real Chromium: nothing scrolls sideways, chart
text stays legible (>= 11 px), a negative vector renders tight ("(−2, −1)", not "( − 2, − 1)"),
and the deadline is a <time> element people can read. Screenshots go to test-artifacts/.

Uses Debian's chromium (/usr/bin/chromium); skipped, saying why, only when there is none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = {"phone": 390, "desktop": 1280}
MIN_CHART_PX = 11.0
ASSIGNMENT = """\
id: mobile-week
title: "Phone check: gradient descent and softmax"
secret: {env: GRADER_MOBILE_TEST_SECRET}
exercises:
  - opt-gradient-descent
  - impl-softmax
due: 2026-12-14T23:59:00+01:00
"""
LATE = ("Submitted 2 days late (deadline 2026-11-28T22:59:00+00:00); 20% of the points were "
        "taken off.")
NEGATIVE = ("Start from $x_0 = {vec}$; the matrix is $A = {mat}$.")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium browser installed ({CHROMIUM} is missing); install Debian's "
                    "`chromium` package to run the browser checks")
    from playwright.sync_api import sync_playwright

    user_data = tempfile.mkdtemp(prefix="grader-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data, executable_path=CHROMIUM if Path(CHROMIUM).exists() else
            shutil.which("chromium"), headless=True, args=ARGS)
        yield context
        context.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The class report, a student report whose prompt holds negative numbers, a problem set."""
    from grader.course.generate import generate
    from grader.core.markup import latex
    from grader.outputs.reports import render_reports
    from grader.app.sample import sample_class

    root = tmp_path_factory.mktemp("mobile")
    (root / "assignment.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (root / "roster.csv").write_text("id,name,email\nm01,Ada Lovelace,ada@example.edu\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADER_MOBILE_TEST_SECRET", "not-a-real-secret-for-the-mobile-test")
        generate(root / "assignment.yaml", root / "roster.csv", root / "build")
    results, prompts = sample_class()
    first = results[3].exercises[0].id
    text = NEGATIVE.format(vec=latex([-2.0, -1.0]), mat=latex([[-1.0, 2.0], [3.0, -4.0]]))
    prompts[results[3].folder][first] = {"prompt": text, "parts": {}}
    late = dataclasses.replace(results[0].late, days_late=2, penalty_percent=20.0, note=LATE)
    results[0] = dataclasses.replace(results[0], late=late)
    render_reports(root / "results", results=results, prompts=prompts,
                   assignment=SimpleNamespace(id="demo-week-1", title="Demo week 1"))
    return {"class": root / "results" / "index.html",
            "student": root / "results" / f"{results[3].folder}.html",
            "problems": root / "build" / "m01" / "problems.html",
            "late": root / "results" / f"{results[0].folder}.html"}


def _open(browser: Any, path: Path, width: int) -> Any:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("name", ["class", "student", "problems"])
def test_nothing_scrolls_sideways_on_a_phone(browser: Any, pages: dict[str, Path],
                                             artifacts: Path, name: str) -> None:
    for label, width in WIDTHS.items():
        page = _open(browser, pages[name], width)
        try:
            page.screenshot(path=str(artifacts / f"mobile-{name}-{label}.png"), full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} is {wide}px wide at {width}px"
        finally:
            page.close()


CHART_TEXT = """() => Array.from(document.querySelectorAll('svg.plot text')).map(t => {
    const m = t.getScreenCTM();  // rotated text (an axis label) scales by the matrix's norm
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    const box = t.getBoundingClientRect();
    const tall = Math.abs(m.b) > Math.abs(m.a) ? box.width : box.height;  // the line's height
    return [t.textContent, size, tall]; })"""


@pytest.mark.parametrize("label", list(WIDTHS))
def test_chart_text_is_legible(browser: Any, pages: dict[str, Path], artifacts: Path,
                               label: str) -> None:
    page = _open(browser, pages["class"], WIDTHS[label])
    try:
        texts = page.evaluate(CHART_TEXT)
        assert len(texts) > 10  # tick labels, axis labels, counts, the legend
        small = [(t, round(px, 1)) for t, px, _ in texts if px < MIN_CHART_PX]
        assert small == [], f"chart text under {MIN_CHART_PX}px at {WIDTHS[label]}px: {small}"
        assert all(h >= MIN_CHART_PX for t, _, h in texts if t.strip()), texts
        page.locator("svg.plot").first.screenshot(
            path=str(artifacts / f"mobile-chart-{label}.png"))
    finally:
        page.close()


GAPS = """() => Array.from(document.querySelectorAll('.exercise math mo')).filter(o =>
    o.textContent.trim() === '\u2212' && o.nextElementSibling
    && o.nextElementSibling.tagName === 'mn' && (!o.previousElementSibling
    || (o.previousElementSibling.tagName === 'mo'
        && !/[)\\]|}]/.test(o.previousElementSibling.textContent))))
    .map(o => [o.nextElementSibling.getBoundingClientRect().left
               - o.getBoundingClientRect().right, o.parentElement.textContent])"""
NEGATIVES = """() => Array.from(document.querySelectorAll('.exercise math mn'))
    .map(n => n.textContent).filter(t => t.startsWith('\u2212'))"""


def test_a_negative_vector_renders_tight(browser: Any, pages: dict[str, Path],
                                         artifacts: Path) -> None:
    page = _open(browser, pages["student"], 390)
    try:
        math = page.locator("math", has_text="x").first
        math.scroll_into_view_if_needed()
        math.screenshot(path=str(artifacts / "mobile-negative-vector.png"))
        folded = set(page.evaluate(NEGATIVES))
        # A unary minus left as an operator before a number (after a bracket, a comma, an
        # operator or at the start) would be drawn spaced, "( − 2": none is left anywhere.
        spaced = [(round(gap, 1), text) for gap, text in page.evaluate(GAPS) if gap > 1.0]
        assert spaced == []
        # Unary minus signs are folded into their numbers: "−2" is one token, drawn tight.
        assert {"\u22122", "\u22121", "\u22124"} <= folded
    finally:
        page.close()


def test_the_deadline_is_a_time_people_can_read(browser: Any, pages: dict[str, Path]) -> None:
    page = _open(browser, pages["problems"], 390)
    try:
        element = page.locator("header time")
        assert element.count() == 1
        stamp = element.get_attribute("datetime")
        assert dt.datetime.fromisoformat(stamp) == dt.datetime(
            2026, 12, 14, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        assert element.inner_text() == "Mon 14 Dec 2026, 23:59 (UTC+01:00)"
        assert element.is_visible()
    finally:
        page.close()


def test_a_late_notes_deadline_is_a_time_too(browser: Any, pages: dict[str, Path]) -> None:
    page = _open(browser, pages["late"], 390)
    try:
        notice = page.locator(".notice", has_text="late")
        element = notice.locator("time")
        assert element.get_attribute("datetime") == "2026-11-28T22:59:00+00:00"
        assert notice.inner_text() == ("Submitted 2 days late (deadline Sat 28 Nov 2026, 22:59 "
                                       "(UTC)); 20% of the points were taken off.")
    finally:
        page.close()
