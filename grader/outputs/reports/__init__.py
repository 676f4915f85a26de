"""HTML reports: one page per student and a class report, rendered from StudentResult objects.

    render_reports(DIR, results=..., assignment=..., prompts=...)   after grading
    report_command(DIR)                                             `grader report DIR`

Pages are self-contained (inline CSS, inline SVG plots, MathML), readable without JavaScript,
and escape everything a student wrote.
"""

from __future__ import annotations

from grader.outputs.reports.api import (
    load_results,
    prompts_from_params,
    prompts_from_variants,
    render_reports,
    report_command,
)
from grader.outputs.reports.classreport import render_class_report
from grader.outputs.reports.student import ExercisePrompt, render_student_report

__all__ = ["ExercisePrompt", "load_results", "prompts_from_params", "prompts_from_variants",
           "render_class_report", "render_reports", "render_student_report", "report_command"]
