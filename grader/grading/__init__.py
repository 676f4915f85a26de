"""Grading: a folder of submissions to results, a gradebook and CI exports.

`grade_assignment` (api.py) is the entry point; collect.py finds and matches submissions,
engine.py grades one student (typed.py: typed parts, functions.py: function parts), late.py
holds the late and reveal policies, gradebook.py the SQLite record, exports.py and summary.py
the renderings, parallel.py spreads the work over every core.
"""

from grader.grading.api import Progress, grade_assignment, threshold_failed

__all__ = ["Progress", "grade_assignment", "threshold_failed"]
