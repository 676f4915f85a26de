"""Renderings of StudentResults: <student>.json, gradebook.csv, JUnit XML, Gradescope JSON.

Every export is a pure function of the results (no clock, no paths), written atomically, so the
same results give the same bytes. The Markdown summary lives in summary.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from grader.core.fsutil import write_if_changed
from grader.grading.results import num
from grader.grading.results import CaseResult, PartResult, StudentResult
from grader.core.values import encode_json, to_json

CSV_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Characters XML 1.0 forbids, and the bidi overrides that make a CI page show text in another
# order than it has ("Trojan Source"): an answer or an unknown id may hold any of them.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
                      "\u202a-\u202e\u2066-\u2069]")


# ---------------------------------------------------------------- <student>.json


def result_json(result: StudentResult) -> str:
    """The versioned result document (docs/results.md): sorted keys, inf/nan as strings."""
    return to_json(result.to_dict(), indent=1) + "\n"


def write_result(folder: Path, result: StudentResult, text: str | None = None) -> bool:
    """Write DIR/<folder>.json (unknown submitters under DIR/unknown/); True when it changed."""
    where = folder / "unknown" if result.status == "unknown_student" else folder
    return replace_if_changed(where / f"{result.folder}.json",
                              (text or result_json(result)).encode())


def replace_if_changed(path: Path, data: bytes) -> bool:
    """Atomic (temp file, rename) but without fsync: a result file is a rendering of the
    gradebook, rewritten by the next run whenever its bytes differ, so it needs no fsync of its
    own, and a thousand fsyncs would cost more than grading the class."""
    return write_if_changed(path, data, durable=False)


# ---------------------------------------------------------------- gradebook.csv


def exercise_columns(results: Sequence[StudentResult]) -> list[tuple[str, float]]:
    """(exercise id, points) of every exercise anyone got, by exercise number then id."""
    seen: dict[str, tuple[int, float]] = {}
    for r in results:
        for e in r.exercises:
            seen.setdefault(e.id, (e.number, e.max_score))
    return [(i, pts) for i, (_, pts) in sorted(seen.items(), key=lambda kv: (kv[1][0], kv[0]))]


def gradebook_csv(results: Sequence[StudentResult], assignment_id: str) -> str:
    """One row per roster student, one column per exercise, then the total (see docs/ci.md)."""
    rows = [r for r in results if r.status != "unknown_student"]
    columns = exercise_columns(rows)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([*CSV_FIXED, *(f"{eid} ({num(pts)} pts)" for eid, pts in columns),
                  f"{assignment_id} total"])
    for r in rows:
        scores = {e.id: num(e.score) for e in r.exercises}
        # A withheld (tampered) or late-penalised exercise score stays as earned; the total
        # column is the one to import as the grade.
        out.writerow([_inert(r.name), "", r.student_id, r.email, "",
                      *(scores.get(eid, "") for eid, _ in columns), num(r.score)])
    return buf.getvalue()


def _inert(text: str) -> str:
    """A display name a spreadsheet will not run as a formula (OWASP's CSV injection advice).

    Only the name: the id and email columns are LMS match keys and must stay exact.
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---------------------------------------------------------------- JUnit XML


def _clean(text: Any) -> str:
    return _XML_BAD.sub("\ufffd", str(text))


def _case_element(parent: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(parent, "testcase", classname=_clean(classname), name=_clean(name),
                         time="0")


def _part_outcome(case: ET.Element, p: PartResult) -> str:
    """Add the failure/error child for a typed part; returns 'pass', 'failure' or 'error'."""
    if p.status == "correct":
        return "pass"
    tag = "error" if p.status == "format_error" else "failure"
    body = "\n".join([p.feedback, *p.details])
    if p.answer is not None:
        body += f"\nyour answer: {_shown(p.answer)}"
    el = ET.SubElement(case, tag, type=p.status,
                       message=_clean(f"{num(p.score)}/{num(p.max_score)} points: {p.feedback}"))
    el.text = _clean(body)
    return tag


_ERRORS = {"exception", "timeout", "memory", "crashed", "exited", "truncated"}


def _case_outcome(case: ET.Element, c: CaseResult) -> str:
    if c.passed:
        return "pass"
    if c.status == "not_run":
        ET.SubElement(case, "skipped", message=_clean(c.message or "not run"))
        return "skipped"
    tag = "error" if c.status in _ERRORS else "failure"
    el = ET.SubElement(case, tag, type=c.status, message=_clean(c.message))
    if c.visibility == "public":
        el.text = _clean(f"input: {to_json(c.args)}\noutput: {to_json(c.output)}")
    return tag


def _submission_case(suite: ET.Element, r: StudentResult) -> str:
    """A testcase for the submission as a whole: fails when it is late, tampered or unknown."""
    case = _case_element(suite, r.student_id, "submission")
    if r.status in ("unknown_student", "tampered"):
        problems = [m for m in r.messages if m.startswith(("tampered", "Submission"))]
        ET.SubElement(case, "error", type=r.status,
                      message=_clean(problems[0] if problems else r.status))
        return "error"
    if r.late and r.late.penalty_percent > 0:
        ET.SubElement(case, "failure", type="late", message=_clean(r.late.note))
        return "failure"
    return "pass"


def _suite(root: ET.Element, r: StudentResult) -> None:
    suite = ET.SubElement(root, "testsuite", name=_clean(f"{r.student_id}"), time="0")
    props = ET.SubElement(suite, "properties")
    for name, value in (("name", r.name), ("status", r.status), ("score", num(r.score)),
                        ("raw_score", num(r.raw_score)), ("max_score", num(r.max_score)),
                        ("late_penalty_percent", num(r.late.penalty_percent) if r.late else "0"),
                        ("sandbox_level", r.sandbox_level)):
        ET.SubElement(props, "property", name=name, value=_clean(value))
    counts = {"pass": 0, "failure": 0, "error": 0, "skipped": 0}
    counts[_submission_case(suite, r)] += 1
    for e in r.exercises:
        for p in e.parts:
            base = f"{r.student_id}.{e.id}"
            if not p.cases:  # a typed part, or code that was never run
                counts[_part_outcome(_case_element(suite, base, p.part_id), p)] += 1
                continue
            for c in p.cases:
                counts[_case_outcome(_case_element(suite, f"{base}.{p.part_id}", c.id), c)] += 1
    if r.messages:
        ET.SubElement(suite, "system-out").text = _clean("\n".join(r.messages))
    suite.set("tests", str(sum(counts.values())))
    suite.set("failures", str(counts["failure"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))


def junit_xml(results: Sequence[StudentResult], assignment_id: str) -> str:
    """One testsuite per student; one testcase per typed part and per function case."""
    root = ET.Element("testsuites", name=_clean(f"grader {assignment_id}"))
    for r in results:
        _suite(root, r)
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# ---------------------------------------------------------------- Gradescope


def _shown(value: Any) -> str:
    """A value as JSON with sorted keys: the same text from a run and from its stored results."""
    return json.dumps(encode_json(value), ensure_ascii=False, sort_keys=True)


def _part_output(p: PartResult) -> str:
    lines = [p.feedback, *p.details]
    if p.answer is not None:
        lines.append(f"Your answer: {_shown(p.answer)}")
    if p.expected is not None:
        lines.append(f"Expected: {_shown(p.expected)}")
    for c in p.cases:
        if c.visibility == "public":
            lines.append(f"- public {c.id}: {c.status}: input {to_json(c.args)}, output "
                         f"{to_json(c.output)}" + (f" ({c.message})" if c.message else ""))
        elif not c.passed:
            lines.append(f"- hidden {c.id}: {c.status}: {c.message}")
    return "\n".join(line for line in lines if line)


def gradescope_json(r: StudentResult) -> str:
    """Gradescope's results.json: score, max_score, output, and one test per part."""
    tests = [{"name": f"{e.number}. {e.title}: {p.part_id}", "number": f"{e.number}.{i}",
              "score": round(p.score, 4), "max_score": round(p.max_score, 4),
              "status": "passed" if p.status == "correct" else "failed",
              "output": _part_output(p), "visibility": "visible"}
             for e in r.exercises for i, p in enumerate(e.parts, 1)]
    output = [f"{r.name or r.student_id}: {num(r.score)} of {num(r.max_score)} points."]
    if r.late and r.late.note:
        output.append(r.late.note)
    output += list(r.messages)
    # Feedback quotes what students typed: declare every text plain ("text"), so Gradescope
    # neither renders it as HTML nor as Markdown (its default, simple_format, allows some HTML).
    doc = {"score": round(r.score, 4), "max_score": round(r.max_score, 4),
           "output": "\n".join(output), "output_format": "text",
           "test_output_format": "text", "test_name_format": "text",
           "visibility": "visible", "stdout_visibility": "hidden",
           "tests": tests,
           "extra_data": {"student_id": r.student_id, "status": r.status,
                          "raw_score": round(r.raw_score, 4), "sandbox_level": r.sandbox_level,
                          "schema_version": r.schema_version}}
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
