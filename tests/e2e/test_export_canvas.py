"""`grader export ASSIGNMENT --to canvas`: a QTI 1.2 zip read back with xml.dom.minidom.

Checks the manifest against the zip's members, every question group (draw 1, points per item,
N numerical items), and each KL item's answer range against the KL divergence computed here
with numpy from the P and Q its text shows and the tolerance the spec file gives.
"""

from __future__ import annotations

import html
import re
import zipfile
from fractions import Fraction
from xml.dom import minidom

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from grader.authoring.spec import library_dir
from grader.cli import cli

ASSIGNMENT = """\
id: cvweek
title: Canvas week
secret: {env: GRADER_CV_SECRET}
exercises: [{id: info-kl-divergence, points: 6}, impl-softmax]
"""
POOL = 4


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    root = tmp_path_factory.mktemp("cv")
    (root / "a.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    res = CliRunner().invoke(cli, ["export", str(root / "a.yaml"), "--to", "canvas", "--out",
                                   str(root / "cv"), "--pool", str(POOL)],
                             env={"GRADER_CV_SECRET": "c0ffee12d4e5f607" * 4})
    assert res.exit_code == 0, res.output
    assert "impl-softmax.softmax: not exported" in res.output
    return zipfile.ZipFile(root / "cv" / "canvas-qti.zip")


def _text(el: minidom.Element, tag: str) -> str:
    node = el.getElementsByTagName(tag)[0]
    return "".join(n.data for n in node.childNodes if n.nodeType == n.TEXT_NODE)


def _direct(el: minidom.Element, tag: str) -> list[minidom.Element]:
    return [c for c in el.childNodes if c.nodeType == c.ELEMENT_NODE and c.tagName == tag]


def test_manifest_names_the_assessment(package: zipfile.ZipFile) -> None:
    manifest = minidom.parseString(package.read("imsmanifest.xml"))
    resources = manifest.getElementsByTagName("resource")
    assert [r.getAttribute("type") for r in resources] == ["imsqti_xmlv1p2"]
    href = resources[0].getElementsByTagName("file")[0].getAttribute("href")
    assert href in package.namelist()
    doc = minidom.parseString(package.read(href))
    assert doc.documentElement.tagName == "questestinterop"
    assert doc.documentElement.getAttribute("xmlns") == \
        "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"


def test_groups_draw_one_numerical_variant(package: zipfile.ZipFile) -> None:
    href = minidom.parseString(package.read("imsmanifest.xml")) \
        .getElementsByTagName("file")[0].getAttribute("href")
    doc = minidom.parseString(package.read(href))
    root = doc.getElementsByTagName("section")[0]
    groups = _direct(root, "section")
    assert [g.getAttribute("ident") for g in groups] == ["info-kl-divergence.kl_pq",
                                                        "info-kl-divergence.kl_qp"]
    spec = yaml.safe_load((library_dir() / "information-theory" /
                           "info-kl-divergence.yaml").read_text(encoding="utf-8"))
    for group in groups:
        part = group.getAttribute("ident").split(".")[1]
        entry = next(p for p in spec["parts"] if p["id"] == part)
        assert _text(group, "selection_number") == "1"
        share = entry["points"] / sum(p["points"] for p in spec["parts"])
        assert float(_text(group, "points_per_item")) == pytest.approx(6 * share)
        items = _direct(group, "item")
        assert len(items) == POOL
        for item in items:
            fields = {_text(f, "fieldlabel"): _text(f, "fieldentry")
                      for f in item.getElementsByTagName("qtimetadatafield")}
            assert fields["question_type"] == "numerical_question"
            text = html.unescape(_text(item, "mattext"))
            P, Q = (np.array([float(Fraction(int(a), int(b))) for a, b in re.findall(
                r"\\frac\{(\d+)\}\{(\d+)\}", re.search(rf"{n} = \\left\((.*?)\\right\)",
                                                       text).group(1))]) for n in "PQ")
            right = float(np.sum(P * np.log(P / Q)) if part == "kl_pq" else
                          np.sum(Q * np.log(Q / P)))
            tol = entry["tolerance"]["atol"] + entry["tolerance"]["rtol"] * right
            low, high = float(_text(item, "vargte")), float(_text(item, "varlte"))
            assert float(_text(item, "varequal")) == pytest.approx(right, rel=1e-12)
            assert low == pytest.approx(right - tol, rel=1e-9)
            assert high == pytest.approx(right + tol, rel=1e-9)
            assert not (low <= right + 1.01 * tol <= high)
