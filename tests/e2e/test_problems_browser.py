"""problems.html in a real headless Chromium: the MathML lays out (non-zero boxes, stacked
fractions, no conversion errors), with no script and no network; a screenshot is kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ASSIGNMENT = """\
id: browser-week
title: "Browser week: every kind of formula"
exercises:
  - info-kl-divergence
  - la-eigen-symmetric
  - opt-gradient-descent
  - prob-bayes
  - ml-perceptron
  - info-mutual-information
  - impl-softmax
due: 2026-11-30T23:59:00+00:00
"""

pytestmark = [pytest.mark.browser]


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return (f"no browser: {CHROMIUM} is missing (Debian's chromium package; .ci/run "
                "installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grader.course.generate import generate

    root = tmp_path_factory.mktemp("browser")
    (root / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (root / "roster.csv").write_text("id,name,email\n李雷,李雷,lilei@example.edu\n",
                                     encoding="utf-8")
    os.environ["GRADER_SECRET"] = "browser-test-secret-3c2d1e0f9a8b7c6d"
    try:
        generate(root / "week.yaml", root / "roster.csv", root / "out")
    finally:
        del os.environ["GRADER_SECRET"]
    (page,) = (root / "out").glob("*/problems.html")
    return page


@pytest.fixture(scope="module")
def page(page_file: Path, tmp_path_factory: pytest.TempPathFactory):
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user data dir
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1100, "height": 900}, offline=True)
        try:
            requests: list[str] = []
            tab = context.new_page()
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(page_file.as_uri(), wait_until="load", timeout=60_000)
            tab.requests = requests  # type: ignore[attr-defined]
            yield tab
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel)].map(e => {
               const r = e.getBoundingClientRect();
               return {w: r.width, h: r.height, text: e.textContent.slice(0, 60),
                       display: getComputedStyle(e).display};
           })""", selector)


def test_every_formula_is_laid_out_as_mathml(page) -> None:
    maths = boxes(page, "math")
    assert len(maths) >= 40, len(maths)
    empty = [m["text"] for m in maths if not (m["w"] > 0 and m["h"] > 0)]
    assert empty == []
    # Chromium's MathML Core layout ("math" is how it spells "inline math"), not unknown
    # elements shown as plain inline text.
    assert {m["display"] for m in maths} <= {"math", "inline math", "block math"}
    assert any(m["display"] == "block math" for m in maths)
    assert boxes(page, ".math-error") == []


def test_fractions_and_matrices_are_two_dimensional(page) -> None:
    fractions = boxes(page, "mfrac")
    tables = boxes(page, "mtable")
    letters = [b for b in boxes(page, "mi") if len(b["text"]) == 1 and b["h"] > 0]
    assert fractions and tables and letters
    line = sorted(b["h"] for b in letters)[len(letters) // 2]
    assert max(f["h"] for f in fractions) > 1.5 * line  # numerator above denominator
    assert max(t["h"] for t in tables) > 1.5 * line  # matrix rows stacked


def test_the_page_needs_no_script_and_no_network(page, page_file: Path) -> None:
    html = page_file.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert [u for u in page.requests if not u.startswith("file:")] == []


def test_the_page_prints_with_every_formula_visible(page, artifacts: Path) -> None:
    page.screenshot(path=str(artifacts / "problem-set-chromium.png"), full_page=True)
    page.emulate_media(media="print")
    try:
        assert all(m["w"] > 0 and m["h"] > 0 for m in boxes(page, "math"))
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        (artifacts / "problem-set-chromium-print.pdf").write_bytes(pdf)
    finally:
        page.emulate_media(media="screen")
    assert (artifacts / "problem-set-chromium.png").stat().st_size > 10_000
