"""Adding an answer kind is its class and one registry line (docs/architecture.md, "To add X,
touch Y"): a made-up kind registered in a fresh process is then accepted by the spec loader with
its own options, appears in the generated JSON Schema, is drawn, carried in grader.json, read
and graded, without any other module knowing its name."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent('''
    import json, sys
    from pathlib import Path

    from grader.core.errors import SpecError
    from grader.core.schema import Field
    from grader import core
    from grader.kinds import KINDS
    from grader.kinds.base import TOLERANCE_OPTION
    from grader.kinds.numeric import Scalar

    class Percent(Scalar):
        """A share, written 25% or 0.25; `spell` says whether the % sign is required."""
        name = "percent"
        options = {"tolerance": TOLERANCE_OPTION,
                   "spell": Field(core.schema.Bool(), default=False, description="% required")}

        def parse(self, raw, part):
            if isinstance(raw, str) and raw.strip().endswith("%"):
                return float(raw.strip()[:-1]) / 100
            if part.options.get("spell"):
                from grader.core.errors import FormatError
                raise FormatError("write the share with a % sign, e.g. 25%")
            return super().parse(raw, part)

        def describe(self, part, expected):
            return "a percentage, e.g. 25%"

    KINDS["percent"] = Percent()  # the one registry line

    # From here on, only grader's own code, which never names the new kind.
    from grader.authoring.published import exercise_schema
    from grader.authoring.spec import load_exercise
    from grader.authoring.variant import make_variant
    from grader.core.seeding import make_rng
    from grader.kinds import grade_raw
    from grader.kinds.base import PartFacts

    good, bad = Path(sys.argv[1]), Path(sys.argv[2])
    ex = load_exercise(good)
    part = ex.parts[0]
    var = make_variant(ex, make_rng(1))
    expected = var.answers[part.id]
    right = grade_raw("percent", f"{expected * 100:.4f}%", expected, part)
    wrong = grade_raw("percent", f"{expected * 100 + 10:.4f}%", expected, part)
    bare = grade_raw("percent", expected, expected, part)
    try:
        load_exercise(bad)
        typo = ""
    except SpecError as exc:
        typo = str(exc)
    schema = exercise_schema()
    print(json.dumps({
        "options": dict(part.options), "rtol": part.tolerance.rtol,
        "right": right.status, "wrong": wrong.status, "bare": [bare.status, bare.feedback],
        "meta": KINDS["percent"].meta_entry(part, PartFacts(reference=expected)),
        "enum": "percent" in schema["$defs"]["part"]["properties"]["kind"]["enum"],
        "typo": typo}))
''')

SPEC = """\
id: fx-percent
title: A share
topic: probability
prompt: "{{ a }} red and {{ b }} blue balls: what share is red?"
params:
  a: {integers: {low: 1, high: 5}}
  b: {integers: {low: 1, high: 5}}
parts:
  - id: share
    kind: percent
    spell: true
    solution: a / (a + b)
    tolerance: {rtol: 0.001}
"""


def test_a_kind_registered_in_one_line_works_everywhere(tmp_path: Path) -> None:
    good = tmp_path / "probability" / "fx-percent.yaml"
    good.parent.mkdir()
    good.write_text(SPEC, encoding="utf-8")
    bad = tmp_path / "probability" / "fx-percent-typo.yaml"
    bad.write_text(SPEC.replace("fx-percent", "fx-percent-typo").replace("spell:", "spel:"),
                   encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(good), str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["options"] == {"spell": True} and out["rtol"] == 0.001
    assert (out["right"], out["wrong"]) == ("correct", "wrong")
    assert out["bare"][0] == "format_error" and "% sign" in out["bare"][1]
    assert out["meta"]["shape"] == [] and out["enum"] is True
    assert "unknown key 'spel'; did you mean 'spell'?" in out["typo"]


def test_the_kind_is_unknown_without_its_registry_line(tmp_path: Path) -> None:
    spec = tmp_path / "probability" / "fx-percent.yaml"
    spec.parent.mkdir()
    spec.write_text(SPEC, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom grader.authoring.spec import load_exercise\n"
         "load_exercise(sys.argv[1])", str(spec)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "unknown kind 'percent'" in done.stderr
