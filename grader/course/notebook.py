"""A student's personal problem set as a Jupyter notebook (nbformat 4), for `--format notebook`.

Prompts are Markdown cells with the same LaTeX as problems.md; each typed part gets one code cell
tagged `grader:answer:EX/PART` holding `name = None`, each function one tagged cell with its stub;
a `grader:setup` cell holds the imports, and the last cell runs `grader check`. The notebook's
metadata carries grader.json, so a notebook handed in alone still says whose it is. Cell ids
are fixed (not random), so the same problem set gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from grader.student.notebook import CHECK_TAG, NOTEBOOK, SETUP_TAG, answer_tag, function_tag

SETUP = "import math\n\nimport numpy as np"
CHECK = (f"# Save the notebook first (Ctrl-S): `grader check` reads the saved file.\n"
         f"!grader check {NOTEBOOK}")


def notebook_bytes(assignment: Any, sset: Any, meta: bytes, examples: Any) -> bytes:
    """problems.ipynb for one student; `meta` is their grader.json, `examples` as in
    studentfiles.public_examples."""
    import nbformat
    from nbformat import v4

    cells = [v4.new_markdown_cell(_intro(assignment, sset)),
             _code(SETUP, SETUP_TAG)]
    for pe in sset.exercises:
        cells += _exercise_cells(pe, examples)
    cells += [v4.new_markdown_cell("## Check your work\n\nSave the notebook, then run the cell "
                                   "below: it checks the form of every answer and runs the "
                                   "public examples of your functions (never the hidden ones)."),
              _code(CHECK, CHECK_TAG)]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:03d}"  # nbformat would draw random ids: same set, same bytes
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "grader": json.loads(meta)})
    nbformat.validate(nb)
    return (nbformat.writes(nb) + "\n").encode()


def _code(source: str, tag: str) -> Any:
    from nbformat import v4

    return v4.new_code_cell(source, metadata={"tags": [tag]})


def _intro(assignment: Any, sset: Any) -> str:
    who = f"{sset.student.name} ({sset.student.id})" if sset.student.name else sset.student.id
    due = f" · due {assignment.due.isoformat()}" if assignment.due else ""
    return (f"# {assignment.title}\n\nProblem set for {who} · {_n(sset.points)} points{due}\n\n"
            "Write each answer in the cell tagged for it (replace `None`; numbers may be "
            "written as `0.25`, `1/4`, `ln(2)/2` or `sqrt(2)/2`, vectors as lists, matrices as "
            "lists of rows) and each function in its cell. Only the tagged cells are graded, "
            "and the notebook is never run to read your answers: write each answer as a "
            "value, not as the result of code in other cells. Add cells of your own anywhere.")


def _exercise_cells(pe: Any, examples: Any) -> list[Any]:
    from nbformat import v4

    ex = pe.exercise
    cells = [v4.new_markdown_cell(f"## Exercise {pe.number}: {ex.title} ({_n(pe.points)} "
                                  f"points, `{ex.id}`)\n\n{pe.variant.prompt.strip()}")]
    for part in ex.parts:
        text = f"### `{part.id}` ({_n(pe.part_points(part))} points)"
        prompt = (pe.variant.part_prompts.get(part.id) or "").strip()
        text += f"\n\n{prompt}" if prompt else ""
        if part.function:
            shown = "".join(f"\n- `{call}` → `{want}`" for call, want in examples(pe, part))
            text += f"\n\nWrite `{part.function.signature}` in the cell below."
            text += f"\n\nPublic examples (`grader check` runs them):\n{shown}" if shown else ""
        cells.append(v4.new_markdown_cell(text))
        cells.append(_function_cell(pe, part) if part.function else _answer_cell(pe, part))
    return cells


def _answer_cell(pe: Any, part: Any) -> Any:
    from grader.kinds import KINDS

    form = KINDS[part.kind].describe(part, pe.variant.answers[part.id])
    name = part.id if part.id.isidentifier() else "answer"
    return _code(f"# {form}\n{name} = None", answer_tag(pe.exercise.id, part.id))


def _function_cell(pe: Any, part: Any) -> Any:
    fn = part.function
    doc = "\n    ".join(fn.docstring.strip().splitlines())
    source = (f"def {fn.signature.split('->')[0].strip()}:\n    \"\"\"{doc}\n    \"\"\"\n"
              f"    raise NotImplementedError(\"{fn.name} is not written yet\")")
    return _code(source, function_tag(pe.exercise.id, part.id))


def _n(x: float) -> str:
    return f"{x:g}"
