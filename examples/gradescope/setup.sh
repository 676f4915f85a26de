#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image from the zip
# (unpacked into /autograder/source). The zip holds: setup.sh, run_autograder, week3.yaml
# (late: {policy: none}), build/key/ from `grader generate`, your spec folders if any, and
# dlmath_grader-0.1.0-py3-none-any.whl (`python -m pip wheel --no-deps . -w .` in grader's
# source at the release you tested).
set -euo pipefail
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv bubblewrap
# A venv outside /root, readable by every user: the sandbox runs student code as another uid
# (the "uid" layer, in force because grading runs as root), and that uid must read Python.
python3 -m venv /opt/grader
/opt/grader/bin/pip install --quiet /autograder/source/dlmath_grader-0.1.0-py3-none-any.whl
# The key, root's only: containers rarely let bubblewrap hide the file system, so the uid
# layer is what keeps student code from reading every student's answers.
chmod -R go-rwx /autograder/source
