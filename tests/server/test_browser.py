"""In a real headless Chromium against a real `grader serve`: a student signs in with their
personal link, uploads answers.yaml and solution.py, and reads the graded report; a second
student who edits the URL to the first one's page or report gets "not found"."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from servekit import STABLE
from proc import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not exe:
        pytest.skip(f"no Chromium browser installed ({CHROMIUM} is missing); install Debian's "
                    "`chromium` package to run the browser checks")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        yield b
        b.close()


def test_upload_in_the_browser_and_only_the_owner_sees_it(course, served, browser, tmp_path,
                                                          artifacts) -> None:
    server_course, _, tokens = served
    server = Server(course.assignment, course.build, server_course.state_dir)
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(course.right("ana")), encoding="utf-8")
    solution = tmp_path / "solution.py"
    solution.write_text(STABLE, encoding="utf-8")
    try:
        ana = browser.new_context().new_page()
        errors: list[str] = []
        ana.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        ana.goto(f"{server.url}/login?token={tokens['ana']}")
        assert ana.url.endswith(f"/students/{course.folder('ana')}")
        assert "Ana Souza" in ana.content()
        ana.set_input_files("input[name=answers]", str(answers))
        ana.set_input_files("input[name=solution]", str(solution))
        ana.click("button[type=submit]")
        deadline = time.monotonic() + 90
        while not ana.locator("a", has_text="report").count() and time.monotonic() < deadline:
            time.sleep(0.5)
            ana.reload()
        assert "14/14" in ana.content()
        ana.screenshot(path=str(artifacts / "serve-student-page.png"), full_page=True)
        ana.click("a:has-text('report')")
        report_url = ana.url
        assert "/attempts/" in report_url
        text = ana.inner_text("body")
        assert "All 17 cases passed" in text and "Correct" in text
        ana.screenshot(path=str(artifacts / "serve-student-report.png"), full_page=True)
        assert errors == []

        bob = browser.new_context().new_page()
        bob.goto(f"{server.url}/login?token={tokens['bob']}")
        assert bob.url.endswith(f"/students/{course.folder('bob')}")
        for url in (f"{server.url}/students/{course.folder('ana')}", report_url,
                    report_url.replace(course.folder("ana"), course.folder("bob"))):
            response = bob.goto(url)
            assert response is not None and response.status == 404, url
            assert "Not found" in bob.inner_text("body")
            assert "All 17 cases passed" not in bob.content()
    finally:
        server.stop()
