"""An unchanged regrade leaves the class report alone: index.html is not rendered again when
every result is the one it was rendered from, and its two plots are drawn again only when the
numbers they show change (a kept copy is used otherwise). Whatever is skipped, the bytes are
those a fresh render gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.outputs.reports import api, plots

SECRET_ENV = "GRADER_REGRADE_REPORT_SECRET"
ASSIGNMENT = f"""\
id: regrade-report
title: Regrade report
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence, prob-bayes]
reveal: always
"""
ROSTER = "id,name,email\nann,Ann,a@example.org\nbob,Bob,b@example.org\ncid,Cid,c@example.org\n"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    monkeypatch.setenv(SECRET_ENV, "regrade-report-secret-0123456789abcdef")
    k = Course.create(tmp_path, ASSIGNMENT, ROSTER)
    for sid in ("ann", "bob", "cid"):
        k.folder_submission(sid, k.right(sid), None)
    return k


def grade(k: Course, out: Path, **kw: object):
    return grade_assignment(k.assignment, k.subs, out, key_dir=k.build, **kw)


def count_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"class report": 0, "plots": 0}
    real_report, real_hist, real_bands = (api.render_class_report, plots.score_histogram,
                                          plots.exercise_bands)

    def report(*a, **kw):
        calls["class report"] += 1
        return real_report(*a, **kw)

    def hist(*a, **kw):
        calls["plots"] += 1
        return real_hist(*a, **kw)

    def bands(*a, **kw):
        calls["plots"] += 1
        return real_bands(*a, **kw)

    monkeypatch.setattr(api, "render_class_report", report)
    monkeypatch.setattr(plots, "score_histogram", hist)
    monkeypatch.setattr(plots, "exercise_bands", bands)
    return calls


def test_an_unchanged_regrade_renders_no_class_report(course: Course,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = course.root / "out"
    grade(course, out)
    index = (out / "index.html").read_bytes()
    calls = count_calls(monkeypatch)
    again = grade(course, out)
    assert again.skipped == 3
    assert calls == {"class report": 0, "plots": 0}
    assert (out / "index.html").read_bytes() == index


def test_a_deleted_class_report_comes_back_without_drawing_the_plots(
        course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    out = course.root / "out"
    grade(course, out)
    index = (out / "index.html").read_bytes()
    (out / "index.html").unlink()
    calls = count_calls(monkeypatch)
    grade(course, out)
    assert calls == {"class report": 1, "plots": 0}  # the kept plots, same numbers
    assert (out / "index.html").read_bytes() == index


def test_a_changed_score_redraws_the_plots_and_equals_a_fresh_render(
        course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    out = course.root / "out"
    grade(course, out)
    before = (out / "index.html").read_bytes()
    right = course.right("bob")
    right["prob-bayes"] = {part: 0.123 for part in right["prob-bayes"]}  # wrong now
    import shutil

    shutil.rmtree(course.subs / course.folder("bob"))
    course.folder_submission("bob", right, None)
    calls = count_calls(monkeypatch)
    again = grade(course, out)
    assert again.graded == 1
    assert calls == {"class report": 1, "plots": 2}
    after = (out / "index.html").read_bytes()
    assert after != before
    fresh = course.root / "fresh"
    grade(course, fresh)
    assert (fresh / "index.html").read_bytes() == after


def test_grader_report_renders_the_class_report_again(course: Course,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = course.root / "out"
    grade(course, out)
    index = (out / "index.html").read_bytes()
    calls = count_calls(monkeypatch)
    api.report_command(out)
    assert calls["class report"] == 1 and (out / "index.html").read_bytes() == index
    # A report rendered without grading's stamp is rendered again by the next regrade.
    grade(course, out)
    assert calls["class report"] == 2 and (out / "index.html").read_bytes() == index


def test_an_unchanged_regrade_does_not_even_import_the_renderers(course: Course) -> None:
    """In a fresh process, as `grader grade` runs: nothing to write, so the Markdown and MathML
    renderers and the report package stay unloaded (their import was a tenth of an unchanged
    regrade)."""
    import json
    import os
    import subprocess
    import sys

    out = course.root / "out"
    grade(course, out)
    probe = ("import json, sys; from pathlib import Path; "
             "from grader.app.grade import grade_assignment as g; "
             "s = g(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), "
             "key_dir=Path(sys.argv[4])); "
             "print(json.dumps([s.skipped, sorted(m for m in sys.modules if "
             "m.startswith(('grader.outputs.reports', 'markdown_it', 'latex2mathml')))]))")
    done = subprocess.run([sys.executable, "-c", probe, str(course.assignment), str(course.subs),
                           str(out), str(course.build)], capture_output=True, text=True,
                          env={**os.environ}, check=True)
    skipped, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert skipped == 3
    assert loaded == []


@pytest.mark.parametrize("lost", ["page", "assignment file"])
def test_a_lost_page_or_assignment_file_comes_back_on_an_unchanged_regrade(
        course: Course, lost: str) -> None:
    out = course.root / "out"
    grade(course, out)
    path = out / (f"{course.folder('bob')}.html" if lost == "page"
                  else "prompts/_assignment.json")
    before = path.read_bytes()
    path.unlink()
    again = grade(course, out)
    assert again.skipped == 3
    assert path.read_bytes() == before


def test_a_run_gives_the_collector_back_as_it_found_it(course: Course) -> None:
    """Grading pauses the cyclic collector while it reads the class and freezes what it read;
    after a full grade and an unchanged regrade nothing is left frozen or paused."""
    import gc

    gc.enable()
    out = course.root / "out"
    grade(course, out)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert grade(course, out).skipped == 3
    assert gc.isenabled() and gc.get_freeze_count() == 0
