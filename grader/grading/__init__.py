"""Grading: submissions in, results out (no pages, no exports: those are grader.outputs).

collect.py finds and matches submissions, engine.py grades one student (typed.py: typed parts,
functions.py: function parts), late.py holds the late and reveal policies, gradebook.py the
SQLite record (gradebook_health.py tells damage from disk trouble, rebuild.py replaces a
damaged one), runlock.py keeps one run per results folder, parallel.py spreads the work over
every core, results.py holds the result dataclasses every output renders.
`grader.app.grade.grade_assignment` runs the whole flow.
"""
