"""Every page type in a real headless Chromium: no console errors, no network, math and plots
drawn with a size, no overflow at phone width, a student's HTML shown as text, screenshots kept.

Uses Debian's chromium (/usr/bin/chromium); skipped, saying why, only when there is none.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = {"desktop": 1280, "phone": 390}
ASSIGNMENT = """\
id: reports-browser
title: "Browser check: entropy, eigenvectors and softmax"
secret: {env: GRADER_REPORTS_TEST_SECRET}
exercises:
  - info-entropy
  - la-eigen-symmetric
  - impl-softmax
reveal: always
"""
ROSTER = "id,name,email\nb01,Ada Lovelace,ada@example.edu\nb02,李雷,li@example.edu\n"


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
    """One page of each type: two student reports, the class report, a key, a problem set."""
    from grader.course.generate import generate
    from grader.outputs.reports import render_reports
    from grader.app.sample import sample_class

    root = tmp_path_factory.mktemp("pages")
    (root / "assignment.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADER_REPORTS_TEST_SECRET", "not-a-real-secret-for-the-browser-test")
        generate(root / "assignment.yaml", root / "roster.csv", root / "build")
    results, prompts = sample_class()
    render_reports(root / "results", results=results, prompts=prompts,
                   assignment=SimpleNamespace(id="demo-week-1", title="Demo week 1"))
    return {"student-hostile": root / "results" / "s010.html",
            "student-followthrough": root / "results" / "s004.html",
            "class": root / "results" / "index.html",
            "key": root / "build" / "key" / "b01.html",
            "key-index": root / "build" / "key" / "index.html",
            "problems": root / "build" / "b01" / "problems.html"}


def _open(browser: Any, path: Path, width: int) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


SIZES = """sel => Array.from(document.querySelectorAll(sel)).map(e => {
    const r = e.getBoundingClientRect(); return [r.width, r.height]; })"""


@pytest.mark.parametrize("name", ["student-hostile", "student-followthrough", "class", "key",
                                  "key-index", "problems"])
def test_page_in_chromium(browser: Any, pages: dict[str, Path], artifacts: Path,
                          name: str) -> None:
    for label, width in WIDTHS.items():
        page, errors, requests = _open(browser, pages[name], width)
        try:
            assert errors == [], f"{name} at {width}px logged errors: {errors}"
            offsite = [u for u in requests if not u.startswith(("file:", "data:"))]
            assert offsite == [], f"{name} fetched from the network: {offsite}"
            maths = page.evaluate(SIZES, "math")
            assert maths or name in ("class", "key-index"), f"{name} has no MathML"
            assert all(w > 0 and h > 0 for w, h in maths), f"{name}: a <math> has no size"
            if name == "class":
                plots = page.evaluate(SIZES, "svg.plot")
                assert len(plots) == 2 and all(w > 100 and h > 50 for w, h in plots)
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width + 1, f"{name} is {overflow}px wide at {width}px"
            page.screenshot(path=str(artifacts / f"reports-{name}-{label}.png"), full_page=True)
            if label == "desktop" and name in ("class", "student-followthrough"):
                pdf = artifacts / f"reports-{name}-print.pdf"  # the print stylesheet, on A4
                page.pdf(path=str(pdf), format="A4")
                assert pdf.stat().st_size > 10_000
        finally:
            page.close()


def test_student_html_is_shown_as_text_never_run(browser: Any, pages: dict[str, Path]) -> None:
    page, errors, _ = _open(browser, pages["student-hostile"], 1280)
    try:
        assert page.evaluate("typeof window.__xss") == "undefined"
        shown = page.get_by_text("<script>window.__xss=1</script>", exact=False).first
        assert shown.is_visible()
        assert page.locator("main img").count() == 0
        assert errors == []
    finally:
        page.close()


def test_roster_sorts_by_column_without_a_server(browser: Any, pages: dict[str, Path]) -> None:
    page, errors, _ = _open(browser, pages["class"], 1280)
    try:
        def percents() -> list[float]:
            return page.evaluate("""Array.from(document.querySelectorAll('#roster tbody tr'))
                .map(r => parseFloat(r.cells[r.cells.length - 2].dataset.sort))""")

        header = page.locator("#roster thead th", has_text="%")
        header.get_by_role("button").click()
        assert percents() == sorted(percents())
        assert header.get_attribute("aria-sort") == "ascending"
        header.get_by_role("button").click()
        assert percents() == sorted(percents(), reverse=True)
        assert errors == []
    finally:
        page.close()
