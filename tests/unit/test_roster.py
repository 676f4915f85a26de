"""The roster: CSV parsing, and folder names that are safe, distinct and stable for any id."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.course.roster import folder_name, load_roster, parse_roster

# What every folder name must be (docs/assignment.md): lowercase ASCII letters, digits, '.', '_',
# '-', starting with a letter or digit, short, never a name Windows or grader itself reserves.
PORTABLE = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                   *(f"lpt{i}" for i in range(1, 10))}
OURS = {"key", "index", "assets"}

AWKWARD_IDS = [
    "李雷", "Émile", "ÉMILE", "emile", "Ünïcødé ñame", "🙂", "   ", "s/../../etc/passwd", "..",
    ".", ".hidden", "a\\b", "a/b", "C:", "con", "CON", "con.txt", "nul.tar.gz", "com1", "LPT9",
    "key", "index", "assets", "a.", "a..", "-leading-dash", "_under", "x" * 300, "tab\there",
    "new\nline", "s001\n", "NUL\x00byte", "quote\"s", "star*", "question?", "pipe|", "<angle>",
    "S001", "s001", "Straße", "strasse", "İstanbul", "ﬁle", "Ａ１",  # fullwidth: NFKD -> "A1"
]


def assert_portable(name: str) -> None:
    assert PORTABLE.fullmatch(name), name
    assert not name.endswith("."), name  # Windows drops a trailing dot
    assert name.split(".")[0] not in WINDOWS_DEVICES | OURS, name


@pytest.mark.parametrize("sid", AWKWARD_IDS)
def test_every_folder_name_is_portable(sid: str) -> None:
    assert_portable(folder_name(sid))


def test_folder_names_are_distinct_even_when_ids_differ_only_in_case_or_accents() -> None:
    names = [folder_name(s) for s in AWKWARD_IDS]
    assert len(set(names)) == len(AWKWARD_IDS)
    # Case-insensitive file systems (macOS, Windows) must not merge two students either.
    assert len({n.lower() for n in names}) == len(AWKWARD_IDS)


@pytest.mark.parametrize("sid", ["s001", "alice.smith", "u_42", "2024-007", "a"])
def test_a_safe_id_is_its_own_folder(sid: str) -> None:
    assert folder_name(sid) == sid


@pytest.mark.parametrize("sid,slug", [
    ("Émile", "emile"), ("S001", "s001"), ("李雷", "student"),
    ("Ünïcødé ñame", "unicde-name"),  # ø has no ASCII decomposition
    ("con", "con"), ("key", "key"), ("s/../../etc/passwd", "s-etc-passwd"), ("a.", "a"),
    ("s001\n", "s001"),
])
def test_an_unsafe_id_becomes_a_slug_plus_8_hex_digits_of_its_sha256(sid: str, slug: str) -> None:
    # The documented rule, recomputed here with hashlib: the digest keeps names distinct.
    digest = hashlib.sha256(sid.encode("utf-8")).hexdigest()[:8]
    assert folder_name(sid) == f"{slug}-{digest}"


def test_a_long_id_is_cut_to_a_short_name() -> None:
    name = folder_name("Ä" * 500)
    assert len(name) <= 49  # 40-character slug, a dash, 8 hex digits
    assert name.startswith("a" * 40 + "-")


def test_folder_names_are_stable_across_processes() -> None:
    # Not a property of one interpreter (hash randomisation must not leak in): ask a fresh one.
    code = ("from grader.course.roster import folder_name; "
            "print(folder_name('李雷'), folder_name('Émile'))")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, env={"PYTHONPATH": str(root), "PYTHONHASHSEED": "123"},
                         check=True).stdout.split()
    assert out == [folder_name("李雷"), folder_name("Émile")]
    # Pinned: a student's folder must not move between grader versions.
    assert out == ["student-" + hashlib.sha256("李雷".encode()).hexdigest()[:8],
                   "emile-" + hashlib.sha256("Émile".encode()).hexdigest()[:8]]


# ---------------------------------------------------------------- parsing the CSV


def test_a_roster_reads_ids_names_emails_in_order() -> None:
    text = ("ID, Name ,EMAIL,section\n"
            "s002,\"Turing, Alan\",alan@example.edu,B\n"
            "\n"
            "李雷 , 李雷 , lilei@example.edu,A\n")
    students = parse_roster(text, "r.csv")
    assert [(s.id, s.name, s.email) for s in students] == [
        ("s002", "Turing, Alan", "alan@example.edu"), ("李雷", "李雷", "lilei@example.edu")]
    assert students[0].folder == "s002"
    assert_portable(students[1].folder)


def test_a_byte_order_mark_from_excel_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufeffid,name,email\ns1,A,a@x\n".encode())
    assert [s.id for s in load_roster(path)] == ["s1"]


@pytest.mark.parametrize("text,message", [
    ("", ("r.csv: the roster is empty; it needs a header line (id,name,email) and one line "
         "per student")),
    ("  \n\n", ("r.csv: the roster is empty; it needs a header line (id,name,email) and one "
               "line per student")),
    ("id,name,email\n", "r.csv: no students; add one line per student under the header"),
    ("id,name\ns1,A\n", "r.csv:1: missing column email; the header has: id, name"),
    ("student,mail\ns1,A\n", ("r.csv:1: missing columns id, name, email; the header has: "
                             "student, mail")),
    ("id;name;email\ns1;A;a@x\n", ("r.csv:1: missing columns id, name, email; the header has: "
                                    "id;name;email; the file is separated by semicolons (';'): "
                                    "save it with commas")),
    ("id,name,email\ns1,A,a@x\ns2,B,b@x\ns1,C,c@x\n",
     "r.csv:4: duplicate id 's1' (first on line 2)"),
    ("id,name,email\n,A,a@x\n", "r.csv:2: empty id"),
])
def test_bad_rosters_say_what_is_wrong_and_where(text: str, message: str) -> None:
    with pytest.raises(UserError) as info:
        parse_roster(text, "r.csv")
    assert str(info.value) == message


def test_every_problem_is_reported_at_once() -> None:
    text = "id,name,email\ns1,A,a@x\n,B,b@x\ns1,C,c@x\ns2,D,d@x\ns2,E,e@x\n"
    with pytest.raises(UserError) as info:
        parse_roster(text, "r.csv")
    assert str(info.value).splitlines() == [
        "r.csv:3: empty id", "r.csv:4: duplicate id 's1' (first on line 2)",
        "r.csv:6: duplicate id 's2' (first on line 5)"]


def test_a_missing_or_non_utf8_roster_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such roster file"):
        load_roster(tmp_path / "nope.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("id,name,email\ns1,Émile,e@x\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"not UTF-8 text \(byte 17\); save the roster as UTF-8"):
        load_roster(latin1)
