"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.app.fabricate import Course

W1_SECRET = "unit-test-secret-0123456789abcdef"
W1 = """\
id: w1
title: W1
secret: {file: secret.txt}
exercises:
  - info-kl-divergence
  - impl-softmax
"""


@pytest.fixture(scope="module")
def w1_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build folder of a generated course `w1` (info-kl-divergence, impl-softmax) for one
    student, Ann (id and folder s1): key/s1.json and s1/grader.json to read back."""
    root = tmp_path_factory.mktemp("course")
    (root / "secret.txt").write_text(W1_SECRET, encoding="utf-8")
    return Course.create(root, W1, "id,name,email\ns1,Ann,a@x\n").build
