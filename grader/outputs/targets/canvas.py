"""A QTI 1.2 zip for Canvas Classic Quizzes: per numeric part a question group drawing 1 of N.

Canvas numerical questions hold one number each, and its groups draw independently, so a
multi-part exercise cannot keep one variant across its parts. The work-around: every item
restates its own variant's data (the whole prompt) before asking its one part, so each question
is right on its own even when parts come from different variants. Named mistakes are lost
(Canvas gives numerical questions no per-wrong-answer feedback); the tolerance becomes
the acceptance range [a - tol, a + tol] written at full precision.
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from grader.outputs.targets.moodle import tolerance
from grader.outputs.targets.pool import Pool, PoolExercise, tex_html

FILENAME = "canvas-qti.zip"
KINDS = ("scalar", "integer")
TINY = 1e-4  # Canvas's quiz editor shows numerical answers to 4 decimals: say so below this
_STAMP = (2020, 1, 1, 0, 0, 0)
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"


def export(pool: Pool) -> tuple[dict[Path, bytes], tuple[str, ...]]:
    """{canvas-qti.zip: bytes} and notes on what was left out or may lose precision."""
    quiz_id = f"grader-{pool.assignment.id}"
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = ET.SubElement(root, "assessment", {"ident": quiz_id,
                                                    "title": pool.assignment.title})
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    notes: list[str] = []
    for pe in pool.exercises:
        for part in pe.exercise.parts:
            if part.kind not in KINDS or not _finite(pe, part):
                notes.append(f"{pe.exercise.id}.{part.id}: not exported ({part.kind} parts "
                             "cannot be a Canvas numerical question)")
                continue
            section.append(_group(pe, part, notes))
    ET.indent(root)
    assessment_xml = _xml(root)
    files = {f"{quiz_id}/{quiz_id}.xml": assessment_xml, "imsmanifest.xml": _manifest(quiz_id)}
    return {Path(FILENAME): _zip(files)}, tuple(notes)


def _finite(pe: PoolExercise, part: Any) -> bool:
    values = [pv.variant.answers[part.id] for pv in pe.variants]
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in values)


def _group(pe: PoolExercise, part: Any, notes: list[str]) -> ET.Element:
    ex = pe.exercise
    points = part.points * pe.points / ex.points
    group = ET.Element("section", {"ident": f"{ex.id}.{part.id}", "title": f"{ex.id}: {part.id}"})
    selection = ET.SubElement(ET.SubElement(group, "selection_ordering"), "selection")
    ET.SubElement(selection, "selection_number").text = "1"
    ET.SubElement(ET.SubElement(selection, "selection_extension"),
                  "points_per_item").text = f"{points:g}"
    tiny = False
    for pv in pe.variants:
        answer = float(pv.variant.answers[part.id])
        tol = tolerance(part, answer)
        tiny = tiny or 0 < abs(answer) < TINY or 0 < tol < TINY
        text = tex_html(pv.variant.prompt) + f"<p><b>{part.id}</b></p>" + \
            tex_html(pv.variant.part_prompts.get(part.id) or "")
        group.append(_item(f"{ex.id}.{part.id}.{pv.index}", f"{ex.id} #{pv.index}: {part.id}",
                           text, answer, tol, points))
    if tiny:
        notes.append(f"{ex.id}.{part.id}: answers or tolerances below {TINY:g}; the range is "
                     "exact in the file, but editing the question in Canvas may round it")
    return group


def _field(parent: ET.Element, label: str, entry: str) -> None:
    field = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = label
    ET.SubElement(field, "fieldentry").text = entry


def _item(ident: str, title: str, text: str, answer: float, tol: float,
          points: float) -> ET.Element:
    item = ET.Element("item", {"ident": ident, "title": title})
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", "numerical_question")
    _field(meta, "points_possible", f"{points:g}")
    presentation = ET.SubElement(item, "presentation")
    ET.SubElement(ET.SubElement(presentation, "material"), "mattext",
                  {"texttype": "text/html"}).text = text
    response = ET.SubElement(presentation, "response_str", {"ident": "response1",
                                                            "rcardinality": "Single"})
    ET.SubElement(ET.SubElement(response, "render_fib", {"fibtype": "Decimal"}),
                  "response_label", {"ident": "answer1"})
    processing = ET.SubElement(item, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar", {
        "maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    either = ET.SubElement(ET.SubElement(condition, "conditionvar"), "or")
    ET.SubElement(either, "varequal", {"respident": "response1"}).text = repr(answer)
    both = ET.SubElement(either, "and")
    ET.SubElement(both, "vargte", {"respident": "response1"}).text = repr(answer - tol)
    ET.SubElement(both, "varlte", {"respident": "response1"}).text = repr(answer + tol)
    ET.SubElement(condition, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    return item


def _manifest(quiz_id: str) -> bytes:
    root = ET.Element("manifest", {"identifier": f"{quiz_id}-manifest", "xmlns": CP_NS})
    meta = ET.SubElement(root, "metadata")
    ET.SubElement(meta, "schema").text = "IMS Content"
    ET.SubElement(meta, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resource = ET.SubElement(ET.SubElement(root, "resources"), "resource", {
        "identifier": quiz_id, "type": "imsqti_xmlv1p2"})
    ET.SubElement(resource, "file", {"href": f"{quiz_id}/{quiz_id}.xml"})
    ET.indent(root)
    return _xml(root)


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode").encode() \
        + b"\n"


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zf.writestr(zipfile.ZipInfo(name, _STAMP), files[name])
    return buf.getvalue()
