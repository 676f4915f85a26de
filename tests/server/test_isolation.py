"""Student A cannot reach B's pages or attempts by editing URLs, and nothing sent to a student
holds key material: the secret, their own reference answers (reveal: never), hidden cases, or
another student's answers or name. Every response ana receives is kept and grepped."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from servekit import SECRET, archive, wait_graded
from grader.server.app import create_app

pytestmark = pytest.mark.timeout(180)
BOB_ANSWER = 0.987654321  # bob's distinctive (wrong) answer: must never reach ana


def floats(value: Any) -> list[float]:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in floats(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in floats(v)]
    if isinstance(value, float) and math.isfinite(value) and value != round(value):
        return [value]
    return []


def close_numbers(text: str, secrets: list[float]) -> list[str]:
    """Numbers of 4+ significant digits in `text` that are one of `secrets` (to 1e-4)."""
    found = re.findall(r"-?\d+\.\d{3,}(?:e-?\d+)?", text)
    return [n for n in found for s in secrets if math.isclose(float(n), s, rel_tol=1e-4)]


def test_a_student_sees_only_their_own_work_and_no_key_material(course, served) -> None:
    server_course, store, tokens = served
    with TestClient(create_app(server_course, jobs=1)) as c:
        auth = lambda sid: {"Authorization": f"Bearer {tokens[sid]}"}
        wrong_bob = {"info-kl-divergence": {"kl_pq": BOB_ANSWER, "kl_qp": BOB_ANSWER}}
        bob_id = c.post("/api/submissions", content=archive(course, "bob", wrong_bob),
                        headers=auth("bob")).json()["id"]
        wrong_ana = {"info-kl-divergence": {"kl_pq": 0.5, "kl_qp": 0.25}}
        ana_id = c.post("/api/submissions", content=archive(course, "ana", wrong_ana),
                        headers=auth("ana")).json()["id"]
        for sid, number in (("bob", bob_id), ("ana", ana_id)):
            assert wait_graded(lambda p, s=sid: c.get(p, headers=auth(s)), number)["state"] == \
                "graded"
        ana, bob = course.folder("ana"), course.folder("bob")
        c.get(f"/login?token={tokens['ana']}")  # the browser session, as ana
        mine = [c.get(u) for u in (
            "/", "/me", f"/students/{ana}", f"/students/{ana}/problems",
            f"/students/{ana}/files/answers.yaml", f"/students/{ana}/files/solution.py",
            f"/students/{ana}/files/grader.json", f"/students/{ana}/attempts/{ana_id}",
            "/api/submissions", f"/api/submissions/{ana_id}", "/api/whoami")]
        assert [r.status_code for r in mine] == [200] * len(mine)
        assert "Ana Souza" in mine[2].text and "report" in mine[2].text
        theirs = [c.get(u) for u in (
            f"/students/{bob}", f"/students/{bob}/problems", f"/students/{bob}/files/answers.yaml",
            f"/students/{bob}/attempts/{bob_id}", f"/students/{ana}/attempts/{bob_id}",
            f"/me/attempts/{bob_id}", f"/api/submissions/{bob_id}", "/instructor",
            "/instructor/class", "/instructor/export/csv", f"/instructor/attempts/{bob_id}",
            f"/students/{ana}/files/..%2F..%2Fkey%2Froster.json", "/students/..%2Fkey/problems",
            f"/students/{ana}/files/problems.md")]
        assert all(r.status_code == 404 for r in theirs), [(r.url, r.status_code)
                                                          for r in theirs]
        forged = c.post(f"/students/{bob}/upload", data={"csrf": "x"},
                        files={"answers": ("answers.yaml", b"x: 1\n")})
        assert forged.status_code == 404 and len(store.attempts("bob")) == 1
        # the check below can see an answer: bob's own report shows his
        own = c.get(f"/students/{bob}/attempts/{bob_id}", headers=auth("bob"))
        assert close_numbers(own.text, [BOB_ANSWER])
        # the instructor sees every attempt and the class
        staff = {"Authorization": f"Bearer {tokens['(instructor)']}"}
        assert c.get(f"/instructor/attempts/{bob_id}", headers=staff).status_code == 200
        assert "bob" in c.get("/instructor/export/csv", headers=staff).text

    sent = "\n".join(r.text + json.dumps(dict(r.headers)) for r in mine + theirs)
    assert SECRET not in sent
    assert "Bob Li" not in sent and "bob@example.edu" not in sent
    assert close_numbers(sent, [BOB_ANSWER]) == []
    key = course.key("ana")
    answers = [x for e in key.exercises for x in floats(e.answers)]
    # the random hidden cases are this student's own lists of integers
    hidden = [case.args[0] for e in key.exercises for case in e.cases
              if case.visibility == "hidden" and case.id.startswith("random")]
    assert answers and hidden  # the test looks for something real
    assert close_numbers(sent, answers) == []
    for logits in hidden:
        assert not re.search(r"\D{1,3}".join(str(x) for x in logits), sent), logits
