"""The server through Starlette's test client (with its real worker process and SQLite file):
submit, get feedback, limits, refusals, tokens, CSRF."""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from servekit import MAX_SCORE, SECRET, archive, wait_graded
from grader.server.app import create_app

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def client(served: Any) -> Iterator[TestClient]:
    server_course, _, _ = served
    with TestClient(create_app(server_course, jobs=1)) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def kl(p: list, q: list) -> float:
    p, q = np.asarray(p, float), np.asarray(q, float)
    return float(np.sum(p * np.log(p / q)))


def test_right_work_is_stored_then_graded_with_the_full_score(course, served, client) -> None:
    _, store, tokens = served
    params = course.exercise("ana", "info-kl-divergence").params
    answers = {"info-kl-divergence": {"kl_pq": kl(params["p"], params["q"]),
                                      "kl_qp": kl(params["q"], params["p"])}}
    data = archive(course, "ana", answers)
    r = client.post("/api/submissions", content=data, headers=bearer(tokens["ana"]))
    assert r.status_code == 201
    receipt = r.json()
    import hashlib
    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert store.attempt(receipt["id"]) is not None  # stored before the answer
    if store.database:  # the PostgreSQL run: the row is in that server, with its bytes
        import psycopg

        with psycopg.connect(store.database) as conn:
            blob, = conn.execute("SELECT archive FROM submissions WHERE id = %s",
                                 (receipt["id"],)).fetchone()
        assert bytes(blob) == data
    state = wait_graded(lambda p: client.get(p, headers=bearer(tokens["ana"])), receipt["id"])
    assert state["state"] == "graded"
    assert (state["score"], state["max_score"]) == (MAX_SCORE, MAX_SCORE)
    assert "kl_pq: 2/2 correct" in state["feedback"]
    assert "softmax: 10/10 correct" in state["feedback"]


def test_lateness_is_judged_by_the_server_clock_not_the_manifest(course, served,
                                                                  client) -> None:
    _, _, tokens = served
    # the manifest says 2019-12-31, before the 2020-01-01 deadline; the server knows better
    r = client.post("/api/submissions", content=archive(course, "bob", course.right("bob")),
                    headers=bearer(tokens["bob"]))
    state = wait_graded(lambda p: client.get(p, headers=bearer(tokens["bob"])), r.json()["id"])
    received = r.json()["received_at"]
    assert received.startswith(("2026", "2027", "2028", "2029", "203"))
    assert "days late" in state["feedback"]
    assert "2019-12-31" not in state["feedback"]


def test_wrong_forged_and_revoked_tokens_are_refused(course, served, client) -> None:
    server_course, store, tokens = served
    data = archive(course, "ana", course.right("ana"))
    gen, sid, mac = tokens["ana"].split(".")
    forged = [f"{gen}.{sid}.{mac[:-2]}AA", tokens["bob"].rsplit(".", 1)[0] + "." + mac,
              "", "x", "1.2.3.4", f"{gen}.aW5zdHJ1Y3Rvcg.{mac}"]
    for token in forged:
        assert client.post("/api/submissions", content=data,
                           headers=bearer(token)).status_code == 401, token
    from grader.server import run

    run.revoke(server_course, store, "ana")
    assert client.post("/api/submissions", content=data,
                       headers=bearer(tokens["ana"])).status_code == 401
    fresh = {r.student_id: r.token for r in run.tokens(server_course, store, "http://x")}
    assert fresh["ana"] != tokens["ana"] and fresh["bob"] == tokens["bob"]
    assert client.post("/api/submissions", content=data,
                       headers=bearer(fresh["ana"])).status_code == 201


def test_the_attempt_limit_refuses_the_fifth_with_a_message(course, served, client) -> None:
    _, store, tokens = served
    data = archive(course, "cy", course.right("cy"))
    codes = [client.post("/api/submissions", content=data, headers=bearer(tokens["cy"]))
             for _ in range(5)]
    assert [c.status_code for c in codes] == [201, 201, 201, 201, 429]
    assert "used all 4 submissions" in codes[-1].json()["error"]
    assert len(store.attempts("cy")) == 4


def test_refused_uploads_say_why_and_store_nothing(course, served, client) -> None:
    _, store, tokens = served
    other = archive(course, "bob", course.right("bob"))
    r = client.post("/api/submissions", content=other, headers=bearer(tokens["ana"]))
    assert r.status_code == 400 and "made for student 'bob'" in r.json()["error"]
    r = client.post("/api/submissions", content=b"PK\x03\x04 not really",
                    headers=bearer(tokens["ana"]))
    assert r.status_code == 400 and "not a readable zip" in r.json()["error"]
    r = client.post("/api/submissions", content=b"\0" * (9 << 20),
                    headers=bearer(tokens["ana"]))
    assert r.status_code == 413
    assert store.attempts("ana") == []


def test_a_zip_bomb_member_is_graded_like_grader_grade_does(course, served, client) -> None:
    """A 50 MB answers.yaml compressed to a few KB: never inflated, the part scores 0."""
    _, _, tokens = served
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("answers.yaml", b"a" * (50 << 20))
        zf.writestr("grader.json", course.meta("ana"))
    r = client.post("/api/submissions", content=buf.getvalue(), headers=bearer(tokens["ana"]))
    assert r.status_code == 201
    state = wait_graded(lambda p: client.get(p, headers=bearer(tokens["ana"])), r.json()["id"])
    assert state["state"] == "graded" and state["score"] == 0
    assert "larger than" in state["feedback"]


def test_browser_forms_need_the_csrf_field(course, served, client) -> None:
    _, store, tokens = served
    client.get(f"/login?token={tokens['ana']}")
    page = client.get("/students/" + course.folder("ana"))
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    files = {"answers": ("answers.yaml", b"info-kl-divergence: {kl_pq: 0.1}\n")}
    url = f"/students/{course.folder('ana')}/upload"
    assert client.post(url, files=files).status_code == 403
    assert client.post(url, files=files, data={"csrf": "x" * len(csrf)}).status_code == 403
    assert store.attempts("ana") == []
    done = client.post(url, files=files, data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert len(store.attempts("ana")) == 1


def test_cookie_sessions_cannot_post_to_the_api(course, served, client) -> None:
    """The JSON upload takes a Bearer token only: a cross-site form riding the cookie fails."""
    _, store, tokens = served
    client.get(f"/login?token={tokens['ana']}")
    r = client.post("/api/submissions", content=archive(course, "ana", course.right("ana")))
    assert r.status_code == 401 and store.attempts("ana") == []


def test_feedback_honours_reveal_never(course, served, client) -> None:
    _, _, tokens = served
    wrong = {"info-kl-divergence": {"kl_pq": 0.5, "kl_qp": 0.25}}
    r = client.post("/api/submissions", content=archive(course, "ana", wrong),
                    headers=bearer(tokens["ana"]))
    state = wait_graded(lambda p: client.get(p, headers=bearer(tokens["ana"])), r.json()["id"])
    assert state["score"] == 10.0  # the function parts only
    assert "expected: " not in state["feedback"]
    for value in course.right("ana")["info-kl-divergence"].values():
        assert not any(math.isclose(float(x), value, rel_tol=1e-3)
                       for x in re.findall(r"\d+\.\d{3,}", state["feedback"]))
    assert SECRET not in json.dumps(state)


def test_the_instructor_sees_the_class_regrades_and_exports(course, served, client) -> None:
    _, store, tokens = served
    wrong = {"info-kl-divergence": {"kl_pq": 0.5, "kl_qp": 0.25}}
    number = client.post("/api/submissions", content=archive(course, "bob", wrong),
                         headers=bearer(tokens["bob"])).json()["id"]
    assert wait_graded(lambda p: client.get(p, headers=bearer(tokens["bob"])),
                       number)["score"] == 10.0
    with store.connect() as db:
        first, = db.execute("SELECT graded_at FROM results WHERE submission_id = ?",
                            (number,)).fetchone()
    client.get(f"/login?token={tokens['(instructor)']}")
    page = client.get("/instructor")
    assert page.status_code == 200 and f"/instructor/attempts/{number}" in page.text
    assert client.get("/instructor/class").status_code == 200
    assert "bob" in client.get("/instructor/class").text
    csv_text = client.get("/instructor/export/csv").text
    assert "bob" in csv_text and "10" in csv_text
    assert client.post("/instructor/regrade", data={"csrf": "forged"}).status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    with store.connect() as db:  # an old grading time, so the regrade shows as a new one
        db.execute("UPDATE results SET graded_at = '2000-01-01T00:00:00+00:00'")
    done = client.post("/instructor/regrade", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303 and "Regrading+1+attempts" in done.headers["location"]
    state = wait_graded(lambda p: client.get(p), number)
    with store.connect() as db:
        again, = db.execute("SELECT graded_at FROM results WHERE submission_id = ?",
                            (number,)).fetchone()
    assert state["score"] == 10.0 and again != "2000-01-01T00:00:00+00:00" and first
