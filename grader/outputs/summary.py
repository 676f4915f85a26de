"""A Markdown summary of a grading run, for a CI job summary ($GITHUB_STEP_SUMMARY) or a file."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from grader.outputs.exports import num
from grader.grading.results import RunSummary, StudentResult
from grader.sandbox.platform import level_gaps, level_sentence

MAX_ROWS = 200  # students listed; a job summary is capped at 1 MiB by GitHub


# Markdown that text from a submission (an unknown id, a file name, an answer quoted in the
# feedback) could use to become a link, an image, HTML or a code span in a CI job summary.
_MARKUP = re.compile(r"([\\`*_\[\]|])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _cell(text: object) -> str:
    """Text shown as itself in a Markdown table cell: one line, no markup, no HTML."""
    flat = "".join(c if c.isprintable() else " " for c in str(text))  # newlines, escapes, bidi
    escaped = _MARKUP.sub(r"\\\1", flat)
    return "".join(_HTML.get(c, c) for c in escaped)


def below(summary: RunSummary, fail_under: float) -> list[StudentResult]:
    """Submitted results under the threshold (percent); missing submissions do not count.

    Nor do unknown submitters in a class run; but when the run graded one submission (CI on a
    student's repository) and it names nobody on the roster, nothing was graded: it fails,
    or editing the id in grader.json would turn any CI check green.
    """
    lone = len(summary.results) == 1
    return [r for r in summary.results if r.status != "missing"
            and (r.status != "unknown_student" or lone) and r.percent < fail_under - 1e-9]


def markdown(summary: RunSummary, *, title: str, fail_under: float | None = None) -> str:
    """The whole summary: headline, students, exercises, common mistakes, warnings."""
    lines = [f"## Grading: {title}", "", _headline(summary), ""]
    sentence = level_sentence(summary.sandbox_level)
    if level_gaps(summary.sandbox_level):  # a weaker sandbox: say what it meant, and the fix
        lines += [f"**Sandbox:** {_cell(sentence)}", ""]
    if fail_under is not None:
        low = below(summary, fail_under)
        verdict = "met" if not low else f"**not met** ({len(low)} below)"
        lines += [f"Threshold {num(fail_under)}%: {verdict}", ""]
    results = list(summary.results)
    if len(results) == 1:
        lines += _parts_table(results[0])
    lines += _students_table(results)
    lines += _exercises_table(results)
    lines += _mistakes_table(results)
    if summary.changes:
        lines += ["### Changed since the last run", "", "| Student | Before | Now |",
                  "| --- | ---: | ---: |"]
        lines += [f"| {_cell(s)} | {num(a)} | {num(b)} |" for s, a, b in summary.changes]
        lines.append("")
    if summary.warnings:
        lines += ["### Warnings", ""] + [f"- {_cell(w)}" for w in summary.warnings] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _headline(summary: RunSummary) -> str:
    from grader.outputs.reports.classstats import class_mean  # the class report's mean, not another

    counts = Counter(r.status for r in summary.results)
    parts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
    return (f"{len(summary.results)} students ({parts}); {class_mean(summary.results).text()}; "
            f"graded now: {summary.graded}, unchanged: {summary.skipped}; "
            f"sandbox: `{summary.sandbox_level}`")


def _students_table(results: Sequence[StudentResult]) -> list[str]:
    lines = ["### Students", "", "| Student | Status | Score | % | Late |",
             "| --- | --- | ---: | ---: | --- |"]
    for r in results[:MAX_ROWS]:
        late = f"{r.late.days_late} d, -{num(r.late.penalty_percent)}%" \
            if r.late and r.late.days_late else ""
        lines.append(f"| {_cell(r.name or r.student_id)} ({_cell(r.student_id)}) | {r.status} | "
                     f"{num(r.score)}/{num(r.max_score)} | {r.percent:.1f} | {late} |")
    if len(results) > MAX_ROWS:
        lines.append(f"| ... {len(results) - MAX_ROWS} more | | | | |")
    return lines + [""]


def _parts_table(r: StudentResult) -> list[str]:
    lines = ["### Parts", "", "| Exercise | Part | Score | Status | Feedback |",
             "| --- | --- | ---: | --- | --- |"]
    for e in r.exercises:
        for p in e.parts:
            lines.append(f"| {_cell(e.id)} | {_cell(p.part_id)} | {num(p.score)}/"
                         f"{num(p.max_score)} | {p.status} | {_cell(p.feedback)} |")
    return lines + [""]


def _exercises_table(results: Sequence[StudentResult]) -> list[str]:
    scores: dict[str, list[tuple[float, float]]] = {}
    for r in results:
        if r.status in ("graded", "tampered"):
            for e in r.exercises:
                scores.setdefault(e.id, []).append((e.score, e.max_score))
    if not scores:
        return []
    lines = ["### Exercises", "", "| Exercise | Submissions | Mean % |", "| --- | ---: | ---: |"]
    for eid, pairs in scores.items():
        mean = 100 * sum(s / m for s, m in pairs if m) / len(pairs)
        lines.append(f"| {_cell(eid)} | {len(pairs)} | {mean:.1f} |")
    return lines + [""]


def _mistakes_table(results: Sequence[StudentResult]) -> list[str]:
    seen = Counter((p.exercise_id, p.part_id, p.mistake) for r in results for p in r.parts()
                   if p.mistake)
    if not seen:
        return []
    lines = ["### Most common mistakes", "",
             "| Part | Mistake | Students |", "| --- | --- | ---: |"]
    for (eid, pid, mistake), n in seen.most_common(10):
        lines.append(f"| {_cell(eid)}.{_cell(pid)} | {_cell(mistake)} | {n} |")
    return lines + [""]
