"""Start a throwaway PostgreSQL server with Debian's `initdb` and `pg_ctl` (package
`postgresql`, installed by .ci/run). PostgreSQL refuses to run as root, so as root (CI) it runs
as `nobody` through runuser; as an ordinary user (a laptop) it runs as that user. Skipped, with
the reason, only when the binaries or psycopg are missing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def binaries() -> tuple[str, str] | None:
    for folder in [None, *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        initdb = shutil.which("initdb", path=folder)
        pg_ctl = shutil.which("pg_ctl", path=folder)
        if initdb and pg_ctl:
            return initdb, pg_ctl
    return None


def start_postgres() -> Iterator[str]:
    found = binaries()
    if found is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in "
                    "/usr/lib/postgresql/*/bin): install Debian's `postgresql` package")
    pytest.importorskip("psycopg", reason="psycopg is missing: pip install '.[test]'")
    initdb, pg_ctl = found
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without `runuser`: PostgreSQL cannot be started")
        as_user = ["runuser", "-u", "nobody", "--"]
        shutil.chown(root, "nobody")
    data = root / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "grader", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-t",
                    "60", "-o", f"-h 127.0.0.1 -p {port} -k {root}", "start"],
                   check=True, capture_output=True, timeout=90)
    try:
        yield f"postgresql://grader@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
