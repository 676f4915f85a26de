"""Issue 16: one class mean. The CLI line, the Markdown summary and the class report show the
same number (the mean over the students who handed in work), and say who it counts."""

from __future__ import annotations

import re

from grader.cli.grading import report_lines
from grader.outputs.summary import markdown
from grader.outputs.reports.classreport import render_class_report
from grader.outputs.reports.classstats import class_mean, class_stats
from grader.grading.results import RunSummary, StudentResult


def student(sid: str, score: float, status: str = "graded") -> StudentResult:
    return StudentResult("w1", sid, sid.title(), "", sid, status, score, score, 10.0)


RESULTS = (student("ann", 9), student("bob", 6.5), student("cat", 0, "empty"),
           student("dan", 0, "missing"), student("eve", 0, "missing"),
           student("zed", 0, "unknown_student"))


def test_the_mean_counts_who_handed_in_work_and_says_how_many_are_missing() -> None:
    mean = class_mean(RESULTS)
    assert (mean.percent, mean.counted, mean.missing) == (155 / 3, 3, 2)  # (90 + 65 + 0) / 3
    assert mean.text() == ("mean 51.7% over the 3 student(s) who handed in work (2 missing, not "
                           "counted)")
    assert class_mean([student("dan", 0, "missing")]).text() == \
        "no mean: nobody handed in work (1 missing)"


def test_cli_summary_and_class_report_show_the_same_mean() -> None:
    summary = RunSummary("w1", RESULTS, graded=3, skipped=0, sandbox_level="none")
    line = report_lines(summary, out="res", fail_under=None)[-1]
    assert line.startswith("6 students, mean 51.7% over the 3 student(s) who handed in work "
                           "(2 missing, not counted); results in res/")
    assert "mean 51.7% over the 3 student(s) who handed in work (2 missing, not counted)" in \
        markdown(summary, title="W1")
    assert class_stats(RESULTS).mean == class_mean(RESULTS).percent
    page = render_class_report(list(RESULTS))
    card = re.search(r'<span class="label">Mean</span>\s*<span class="big">([^<]*)</span>', page)
    assert card and card.group(1).strip() == "52%"  # the report rounds every percent to units
    assert "over the 3 who handed in work; 2 missing, not counted" in page
    assert "of the 3 students who handed in work (graded, empty or tampered; 2 missing, not " \
           "counted): mean 52%" in page
