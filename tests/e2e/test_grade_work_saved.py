"""Work grading no longer does: it parses only the specs the key names (a spec elsewhere in the
library that does not load, added after generate, does not stop grading), and an unchanged
regrade keeps the pages of reused results instead of rendering them again."""

from __future__ import annotations

import pytest

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.authoring import spec as spec_module

SECRET_ENV = "GRADER_ONLY_SECRET"
ASSIGNMENT = f"""\
id: only
title: Only
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence]
reveal: always
library: [my-specs]
"""


def test_a_broken_unused_spec_does_not_stop_grading(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "only-secret-0123456789abcdef")
    (tmp_path / "my-specs").mkdir()
    k = Course.create(tmp_path, ASSIGNMENT, "id,name,email\nann,Ann,a@example.org\n")
    (tmp_path / "my-specs" / "half-written.yaml").write_text("id: half-written\ntitle: [\n")
    k.folder_submission("ann", k.right("ann"), None)
    parsed = []
    real = spec_module._load
    monkeypatch.setattr(spec_module, "_load", lambda p: parsed.append(p.stem) or real(p))
    summary = grade_assignment(k.assignment, k.subs, tmp_path / "out", key_dir=k.build)
    assert [r.score for r in summary.results] == [summary.results[0].max_score]
    assert parsed == ["info-kl-divergence"]
    with pytest.raises(spec_module.SpecError):  # the library as a whole is still refused
        spec_module.load_library([tmp_path / "my-specs"])


def test_an_unchanged_regrade_renders_no_student_page_but_restores_a_deleted_one(
        tmp_path, monkeypatch) -> None:
    from grader.outputs.reports import api

    monkeypatch.setenv(SECRET_ENV, "only-secret-0123456789abcdef")
    (tmp_path / "my-specs").mkdir()
    k = Course.create(tmp_path, ASSIGNMENT, "id,name,email\nann,Ann,a@example.org\n"
                      "bob,Bob,b@example.org\n")
    for sid in ("ann", "bob"):
        k.folder_submission(sid, k.right(sid), None)
    out = tmp_path / "out"
    grade_assignment(k.assignment, k.subs, out, key_dir=k.build)
    pages = {p.name: p.read_bytes() for p in out.glob("*.html")}
    assert set(pages) == {"ann.html", "bob.html", "index.html"}
    assert b"Two distributions over the same" in pages["ann.html"]  # the prompt is shown
    rendered = []
    real = api.render_student_report
    monkeypatch.setattr(api, "render_student_report",
                        lambda r, **kw: rendered.append(r.student_id) or real(r, **kw))
    grade_assignment(k.assignment, k.subs, out, key_dir=k.build)
    assert rendered == []
    (out / "bob.html").unlink()
    again = grade_assignment(k.assignment, k.subs, out, key_dir=k.build)
    assert (again.graded, rendered) == (0, ["bob"])
    assert {p.name: p.read_bytes() for p in out.glob("*.html")} == pages


def test_the_progress_line_of_a_student_without_work_says_missing_not_graded(
        tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "only-secret-0123456789abcdef")
    (tmp_path / "my-specs").mkdir()
    k = Course.create(tmp_path, ASSIGNMENT, "id,name,email\nann,Ann,a@example.org\n"
                      "bob,Bob,b@example.org\n")
    k.folder_submission("ann", k.right("ann"), None)
    lines: list[str] = []
    grade_assignment(k.assignment, k.subs, tmp_path / "out", key_dir=k.build,
                     progress=lambda done, total, line: lines.append(line))
    assert sorted(line.split(":")[0] for line in lines) == ["graded ann", "missing bob"]
