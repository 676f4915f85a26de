"""The export formats: a registry of renderers from a run's results to bytes.

Each format renders a RunSummary (a grading run's, or one rebuilt from a results folder by
`grader export`) to files; `grader grade --<name> PATH` and `grader export DIR --format NAME`
both go through here, so the two give the same bytes. Adding a format is one renderer and one
registry line here, its test, and its paragraph in docs/results.md: the CLI options are made
from this registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError
from grader.core.fsutil import atomic_write_bytes, blocked_folder, shown_path
from grader.grading.results import RunSummary

Files = list[tuple[str, bytes]]  # (suffix added to the file name's stem, bytes); "" = the file


@dataclass(frozen=True)
class Context:
    """What a renderer knows besides the results."""

    assignment_id: str
    title: str  # "Week 3 (w3)"
    fail_under: float | None = None


@dataclass(frozen=True)
class Format:
    name: str
    help: str  # the CLI option's help
    render: Callable[[RunSummary, Context], Files]
    filename: str  # its usual name in a results folder
    every_run: bool = False  # written there by every `grader grade`, asked for or not


def _csv(run: RunSummary, ctx: Context) -> Files:
    from grader.outputs import exports

    return [("", exports.gradebook_csv(run.results, ctx.assignment_id).encode())]


def _junit(run: RunSummary, ctx: Context) -> Files:
    from grader.outputs import exports

    return [("", exports.junit_xml(run.results, ctx.assignment_id).encode())]


def _summary(run: RunSummary, ctx: Context) -> Files:
    from grader.outputs import summary as md

    return [("", md.markdown(run, title=ctx.title, fail_under=ctx.fail_under).encode())]


def _gradescope(run: RunSummary, ctx: Context) -> Files:
    """One results.json for the submission graded; one file per student when several."""
    from grader.outputs import exports

    submitted = [r for r in run.results if r.status != "missing"]
    if len(submitted) <= 1:
        chosen = submitted[0] if submitted else (run.results[0] if run.results else None)
        text = exports.gradescope_json(chosen) if chosen else json.dumps(
            {"score": 0, "output": "No submission was found.", "tests": []}) + "\n"
        return [("", text.encode())]
    # Unknown submitters choose their own ids, hence folder names: one could take a roster
    # student's file name. They are not graded, so they get no Gradescope file of their own.
    return [(f"-{r.folder}", exports.gradescope_json(r).encode())
            for r in submitted if r.status != "unknown_student"]


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("csv", "Where to write the LMS gradebook CSV [default: OUT/gradebook.csv].", _csv,
           "gradebook.csv", every_run=True),
    Format("junit", "Also write a JUnit XML report here.", _junit, "junit.xml"),
    Format("gradescope", "Also write Gradescope's results.json here.", _gradescope,
           "gradescope.json"),
    Format("summary", "Also write a Markdown summary here ($GITHUB_STEP_SUMMARY gets it "
           "anyway).", _summary, "summary.md"),
)}


def write(name: str, path: Path, run: RunSummary, ctx: Context) -> list[Path]:
    """Render format `name` and write its files atomically at `path`; return the paths."""
    written = []
    for suffix, data in FORMATS[name].render(run, ctx):
        target = path.with_name(f"{path.stem}{suffix}{path.suffix}") if suffix else path
        atomic_write_bytes(target, data)
        written.append(target)
    return written


def check_targets(targets: Mapping[str, Path | None]) -> None:
    """Refuse, before the run, an export path whose folder is blocked by a file (the export
    would fail only after every student had been graded)."""
    for name, path in targets.items():
        if path is None:
            continue
        problem = blocked_folder(Path(path).parent)
        if problem is not None:
            raise UserError(f"--{name} {shown_path(path)}: {problem}")


def write_all(targets: Mapping[str, Path | None], out: Path, run: RunSummary,
              ctx: Context) -> dict[str, list[Path]]:
    """Every format asked for (name -> path), and those written on every run into `out`."""
    done = {}
    for name, fmt in FORMATS.items():
        path = targets.get(name) or (out / fmt.filename if fmt.every_run else None)
        if path is not None:
            done[name] = write(name, path, run, ctx)
    return done
