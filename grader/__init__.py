"""grader: randomised, auto-graded exercises for the mathematics of deep learning."""

__version__ = "0.1.0"
