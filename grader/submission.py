"""A student's work as files: read answers.yaml and grader.json, check them, pack and unpack.

Shared by `grader check`/`grader submit` (the student's side) and grading (the instructor's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import __version__
from grader.errors import UserError, display_path

ANSWERS = "answers.yaml"
SOLUTION = "solution.py"
META = "grader.json"
MANIFEST = "manifest.json"
SUBMITTED = (ANSWERS, SOLUTION, META)
MAX_FILE_BYTES = 1 << 20  # a submission file larger than 1 MiB is refused


@dataclass(frozen=True)
class Submission:
    """The files of one submission, read into memory, and where they came from."""

    source: Path
    files: Mapping[str, bytes]
    manifest: Mapping[str, Any] | None = None  # from a `grader submit` archive
    problems: tuple[str, ...] = ()  # tampering and other integrity findings
    mtime: float | None = None

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return h.hexdigest()


def read_meta(folder: Path) -> dict:
    """grader.json of a problem-set folder, with a message saying where to run when absent."""
    path = folder / META
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{display_path(path)}: not found. Run this in the folder of your "
                        "problem set (the one holding problems.html and answers.yaml), "
                        "or give that folder as an argument.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{display_path(path)}: damaged ({exc}); copy it again from your "
                        "problem set") from None


def read_answers(text: str, where: str) -> tuple[dict, Any]:
    """Parse answers.yaml; returns (data, document with positions). Raises UserError."""
    from grader.spec.yamlload import load_yaml

    doc = load_yaml(text, path=where)
    if doc.diagnostics:
        raise UserError("\n".join(d.render() for d in doc.diagnostics) +
                        f"\nFix the YAML in {where} (a stray tab or a missing space after "
                        "':' is the usual cause).")
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected one mapping per exercise id, e.g.\n"
                        "info-kl-divergence:\n  kl_pq: 0.05")
    return data, doc


def manifest_for(files: Mapping[str, bytes], meta: Mapping[str, Any], *,
                 now: dt.datetime | None = None) -> dict:
    """The manifest written into an archive: who, what, the hash of each file, when."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return {
        "student": meta["student"]["id"],
        "assignment": meta["assignment"]["id"],
        "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
        "time": now.replace(microsecond=0).isoformat(),
        "grader_version": __version__,
    }


def pack(files: Mapping[str, bytes], manifest: Mapping[str, Any]) -> bytes:
    """A zip of the files and manifest.json (fixed timestamps: same input, same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), files[name])
        zf.writestr(zipfile.ZipInfo(MANIFEST, (2020, 1, 1, 0, 0, 0)),
                    json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return buf.getvalue()


def read_archive(path: Path) -> Submission:
    """Unpack a `grader submit` archive, checking its files against the manifest."""
    problems: list[str] = []
    files: dict[str, bytes] = {}
    manifest: dict | None = None
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename
                if info.is_dir():
                    continue
                if name not in (*SUBMITTED, MANIFEST):
                    problems.append(f"unexpected file {name!r} in the archive (ignored)")
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    problems.append(f"{name} is larger than {MAX_FILE_BYTES} bytes (ignored)")
                    continue
                data = zf.read(info)
                if name == MANIFEST:
                    manifest = _parse_manifest(data, problems)
                else:
                    files[name] = data
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return Submission(path, {}, None, (f"not a readable zip archive: {exc}",))
    problems += tamper_findings(files, manifest)
    return Submission(path, files, manifest, tuple(problems))


def _parse_manifest(data: bytes, problems: list[str]) -> dict | None:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        problems.append("manifest.json is not valid JSON")
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        problems.append("manifest.json lacks the file list")
        return None
    return manifest


def tamper_findings(files: Mapping[str, bytes], manifest: Mapping[str, Any] | None) -> list[str]:
    """Files that do not match the manifest's hashes, or are missing from either side."""
    if manifest is None:
        return ["tampered: the archive has no valid manifest.json"]
    listed = manifest.get("files", {})
    out = []
    for name in sorted(set(listed) | set(files)):
        if name not in files:
            out.append(f"tampered: {name} is in the manifest but not in the archive")
        elif name not in listed:
            out.append(f"tampered: {name} is not in the manifest")
        elif hashlib.sha256(files[name]).hexdigest() != listed[name]:
            out.append(f"tampered: {name} does not match its hash in the manifest")
    return out


def read_folder(path: Path) -> Submission:
    """A plain folder submission: the known files, regular files only, size-capped."""
    files: dict[str, bytes] = {}
    problems: list[str] = []
    mtimes = []
    for name in SUBMITTED:
        p = path / name
        if p.is_symlink() or (p.exists() and not p.is_file()):
            problems.append(f"{name} is not a regular file (ignored)")
            continue
        if not p.exists():
            continue
        st = p.stat()
        if st.st_size > MAX_FILE_BYTES:
            problems.append(f"{name} is larger than {MAX_FILE_BYTES} bytes (ignored)")
            continue
        files[name] = p.read_bytes()
        if name != META:
            mtimes.append(st.st_mtime)
    return Submission(path, files, None, tuple(problems), max(mtimes) if mtimes else None)


@dataclass
class CheckReport:
    """What `grader check` found, for printing; never a hidden answer or hidden result."""

    folder: Path
    lines: list[str] = field(default_factory=list)
    errors: int = 0
    missing: int = 0
    answered: int = 0

    @property
    def ready(self) -> bool:
        return self.errors == 0
