"""A student's work as files: read answers.yaml and grader.json, check them, pack and unpack.

Shared by `grader check`/`grader submit` (the student's side) and grading (the instructor's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import __version__
from grader.core.fsutil import read_regular
from grader.core.errors import Diagnostic, UserError, display_path
from grader.student.documents import META, DocumentProblem, Manifest, StudentMeta

ANSWERS = "answers.yaml"
SOLUTION = "solution.py"
MANIFEST = "manifest.json"
SUBMITTED = (ANSWERS, SOLUTION, META)
MAX_FILE_BYTES = 1 << 20  # a submission file larger than 1 MiB is refused
MAX_ARCHIVE_BYTES = 8 * MAX_FILE_BYTES  # an archive of three files cannot need more
MAX_DIAGNOSTICS = 10  # problems listed for a broken answers.yaml (each lands in every part)
MAX_SHOWN = 64  # characters of a submitter's file name or id quoted in a message
_MAX_LINE = 160


@dataclass(frozen=True)
class Submission:
    """The files of one submission, read into memory, and where they came from."""

    source: Path
    files: Mapping[str, bytes]
    manifest: Manifest | None = None  # from a `grader submit` archive
    problems: tuple[str, ...] = ()  # tampering and other integrity findings
    mtime: float | None = None

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return h.hexdigest()


def read_meta(folder: Path) -> StudentMeta:
    """grader.json of a problem-set folder, with a message saying where to run when absent."""
    path = folder / META
    try:
        data = parse_json(path.read_bytes())
    except FileNotFoundError:
        raise UserError(f"{display_path(path)}: not found. Run this in the folder of your "
                        "problem set (the one holding problems.html and answers.yaml), "
                        "or give that folder as an argument.") from None
    except (ValueError, RecursionError) as exc:
        raise UserError(f"{display_path(path)}: damaged ({exc}); copy it again from your "
                        "problem set") from None
    return StudentMeta.from_dict(data, source=display_path(path))


def read_answers(text: str, where: str) -> tuple[dict, Any]:
    """Parse answers.yaml; returns (data, document with positions). Raises UserError."""
    from grader.authoring.spec.yamlload import load_yaml

    doc = load_yaml(text, path=where)
    if doc.diagnostics:
        lines = [_short_diagnostic(d).render() for d in doc.diagnostics[:MAX_DIAGNOSTICS]]
        if len(doc.diagnostics) > MAX_DIAGNOSTICS:
            lines.append(f"... and {len(doc.diagnostics) - MAX_DIAGNOSTICS} more problems")
        raise UserError("\n".join(lines) +
                        f"\nFix the YAML in {where} (a stray tab or a missing space after "
                        "':' is the usual cause).")
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected one mapping per exercise id, e.g.\n"
                        "info-kl-divergence:\n  kl_pq: 0.05")
    return data, doc


def _short_diagnostic(d: Diagnostic) -> Diagnostic:
    """A diagnostic whose message and quoted line are cut: a 1 MiB line must not be copied
    into every part's feedback."""
    message = d.message if len(d.message) <= _MAX_LINE else d.message[:_MAX_LINE] + "..."
    line = d.source_line if len(d.source_line) <= _MAX_LINE else ""
    return dataclasses.replace(d, keypath=d.keypath[:_MAX_LINE], message=message,
                               source_line=line)


def manifest_for(files: Mapping[str, bytes], meta: StudentMeta, *,
                 now: dt.datetime | None = None) -> Manifest:
    """The manifest written into an archive: who, what, the hash of each file, when."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return Manifest(
        student=meta.student.id,
        assignment=meta.assignment.id,
        files={n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
        time=now.replace(microsecond=0).isoformat(),
        grader_version=__version__,
    )


def pack(files: Mapping[str, bytes], manifest: Manifest) -> bytes:
    """A zip of the files and manifest.json (fixed timestamps: same input, same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), files[name])
        zf.writestr(zipfile.ZipInfo(MANIFEST, (2020, 1, 1, 0, 0, 0)),
                    json.dumps(manifest.to_dict(), indent=1, sort_keys=True) + "\n")
    return buf.getvalue()


def shown(text: str) -> str:
    """A submitter's text (a file name, an id) as safe to print: as it is when printable and
    short, else escaped (control and bidi characters could rewrite a terminal) and cut."""
    if text.isprintable() and len(text) <= MAX_SHOWN:
        return text
    quoted = repr(text)[1:-1]
    return quoted if len(quoted) <= MAX_SHOWN else quoted[:MAX_SHOWN - 3] + "..."


# What a damaged or hostile archive can raise while it is read (encrypted members raise
# RuntimeError, unknown compression NotImplementedError, a corrupt stream zlib.error).
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
               NotImplementedError, ValueError, zlib.error)


NO_MANIFEST = (f"The archive has no {MANIFEST}, so it was not made by `grader submit` and its "
               "files could not be checked against their hashes; they were graded as they are.")
# What a "compress folder" adds beside the work: macOS's resource forks and Finder files.
JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")


def read_archive(path: Path) -> Submission:
    """Unpack a `grader submit` archive, checking its files against the manifest.

    Nothing is extracted: the known members are read into memory, each at most
    MAX_FILE_BYTES however large it claims or turns out to be. An archive made by hand is read
    too: without a manifest (a note, not tampering), and with its files one folder down (what
    "compress folder" makes), with the operating system's junk ignored.
    """
    problems: list[str] = []
    files: dict[str, bytes] = {}
    manifest: Manifest | None = None
    has_manifest = False
    seen: set[str] = set()
    try:
        if path.stat().st_size > MAX_ARCHIVE_BYTES:
            return Submission(path, {}, None, (f"not a readable zip archive: larger than "
                                               f"{MAX_ARCHIVE_BYTES} bytes",))
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not is_junk(i.filename)]
            prefix = _one_folder(infos)
            for info in infos:
                name = info.filename.removeprefix(prefix)
                data = _member(zf, info, name, problems, seen)
                if data is None:
                    continue
                if name == MANIFEST:
                    has_manifest, manifest = True, _parse_manifest(data, problems)
                else:
                    files[name] = data
    except _UNREADABLE as exc:
        return Submission(path, {}, None, (f"not a readable zip archive: {shown(str(exc))}",))
    # A manifest present but broken or not matching is tampering; none at all is a hand-made zip.
    findings = tamper_findings(files, manifest) if has_manifest else [NO_MANIFEST]
    return Submission(path, files, manifest, tuple(_bounded(problems) + findings))


def is_junk(name: str) -> bool:
    """A file an operating system adds to a zip or a folder, never the student's work."""
    parts = name.replace("\\", "/").split("/")
    return parts[0] == JUNK[0] or parts[-1] in JUNK or parts[-1].startswith("._")


def _one_folder(infos: list[zipfile.ZipInfo]) -> str:
    """The folder every member sits in ('s001/') when the archive is a zipped folder; else ''."""
    tops = {i.filename.split("/", 1)[0] for i in infos}
    if len(tops) != 1 or not all("/" in i.filename for i in infos):
        return ""
    top = tops.pop()
    return f"{top}/" if top not in ("", ".", "..") else ""


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, problems: list[str],
            seen: set[str]) -> bytes | None:
    """A known member's bytes, or None (with a problem noted) when it is not to be read.

    `name` is the member's name with the folder the whole archive sits in (if any) removed.
    """
    if name not in (*SUBMITTED, MANIFEST):
        problems.append(f"unexpected file '{shown(info.filename)}' in the archive (ignored)")
        return None
    if name in seen:  # `grader submit` never writes a name twice: which copy is meant?
        problems.append(f"tampered: {name} appears more than once in the archive")
        return None
    seen.add(name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or \
            info.flag_bits & 0x1:
        # bzip2 and LZMA members decompress without a bound (a bomb); encrypted ones cannot
        # be read. `grader submit` writes neither.
        problems.append(f"{name} is encrypted or compressed in an unsupported way (ignored)")
        return None
    if info.file_size > MAX_FILE_BYTES:
        problems.append(f"{name} is larger than {MAX_FILE_BYTES} bytes (ignored)")
        return None
    with zf.open(info) as fh:
        data = fh.read(MAX_FILE_BYTES + 1)  # bounded even when the stated size is a lie
    if len(data) > MAX_FILE_BYTES:
        problems.append(f"{name} is larger than {MAX_FILE_BYTES} bytes (ignored)")
        return None
    return data


def _bounded(problems: list[str], limit: int = 20) -> list[str]:
    """At most `limit` findings: an archive of a million stray files makes one line of them.

    Tampering findings decide the status, so the first one is always kept.
    """
    if len(problems) <= limit:
        return problems
    kept = problems[:limit]
    if not any(p.startswith("tampered") for p in kept):
        kept += [p for p in problems if p.startswith("tampered")][:1]
    return kept + [f"... and {len(problems) - len(kept)} more findings"]


def parse_json(data: bytes) -> Any:
    """A student's JSON file (grader.json, manifest.json); ValueError when it is not valid.

    JSON may spell half a UTF-16 pair ("\\ud800"), which is not a character: no text holding
    one can be written as UTF-8 (a result file, the gradebook), so such a file is refused.
    """
    value = json.loads(data.decode("utf-8"))
    if b"\\u" in data:  # only an escape can spell a surrogate: UTF-8 bytes never decode to one
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
    return value


def _parse_manifest(data: bytes, problems: list[str]) -> Manifest | None:
    try:
        parsed = parse_json(data)
    except (ValueError, RecursionError):  # JSON and Unicode errors are ValueErrors
        problems.append(f"{MANIFEST} is not valid JSON")
        return None
    try:
        return Manifest.from_dict(parsed, source=MANIFEST)
    except DocumentProblem as exc:
        problems.append(str(exc))
        return None


def tamper_findings(files: Mapping[str, bytes], manifest: Manifest | None) -> list[str]:
    """Files that do not match the manifest's hashes, or are missing from either side."""
    if manifest is None:
        return ["tampered: the archive has no valid manifest.json"]
    listed = manifest.files
    out = []
    for name in sorted(set(listed) | set(files)):
        if name not in files:
            # The manifest's names are the student's text: maybe escape sequences, or huge.
            out.append(f"tampered: {shown(name)} is in the manifest but not in the archive")
        elif name not in listed:
            out.append(f"tampered: {name} is not in the manifest")
        elif hashlib.sha256(files[name]).hexdigest() != listed[name]:
            out.append(f"tampered: {name} does not match its hash in the manifest")
    return _bounded(out)


def work_folder(path: Path) -> Path:
    """Where a folder's work is: the folder itself, or the one folder inside it that holds it
    (an unzipped "compress folder" archive: s001/s001/answers.yaml), junk aside."""
    if any((path / name).exists() or (path / name).is_symlink()
           for name in (*SUBMITTED, MANIFEST)):
        return path
    inside: list[Path] = []
    try:
        for entry in path.iterdir():  # stops at the second entry: a folder may hold millions
            if not is_junk(entry.name) and not entry.name.startswith("."):
                inside.append(entry)
                if len(inside) > 1:
                    return path
    except OSError:
        return path
    if len(inside) != 1 or inside[0].is_symlink() or not inside[0].is_dir():
        return path
    inner = inside[0]
    return inner if any((inner / name).is_file() for name in (*SUBMITTED, MANIFEST)) else path


def read_folder(path: Path) -> Submission:
    """A plain folder submission: the known files, regular files only, size-capped."""
    files: dict[str, bytes] = {}
    problems: list[str] = []
    mtimes = []
    for name in SUBMITTED:
        got = _read_submitted(path / name, problems)
        if got is None:
            continue
        files[name] = got[0]
        if name != META:
            mtimes.append(got[1])
    manifest = _folder_manifest(path, files, problems)
    return Submission(path, files, manifest, tuple(problems), max(mtimes) if mtimes else None)


def _read_submitted(p: Path, problems: list[str]) -> tuple[bytes, float] | None:
    """One handed-in file through the one safe reader; a problem noted when it is refused."""
    got = read_regular(p, max_bytes=MAX_FILE_BYTES)
    if got == "too large":
        problems.append(f"{p.name} is larger than {MAX_FILE_BYTES} bytes (ignored)")
    elif isinstance(got, str):
        problems.append(f"{p.name} is not a regular file (ignored)")
    return got if isinstance(got, tuple) else None


def _folder_manifest(path: Path, files: Mapping[str, bytes],
                     problems: list[str]) -> Manifest | None:
    """The manifest of an unpacked `grader submit` archive (a folder that holds one).

    An LMS or Gradescope may hand over the archive's contents rather than the archive: its
    manifest still gives the submission time and the hashes to check, as the archive would.
    """
    got = read_regular(path / MANIFEST, max_bytes=MAX_FILE_BYTES)
    if got == "too large":
        problems.append(f"{MANIFEST} is larger than {MAX_FILE_BYTES} bytes (ignored)")
    if not isinstance(got, tuple):
        return None  # absent, or not a regular file: a folder without a manifest
    manifest = _parse_manifest(got[0], problems)
    problems += tamper_findings(files, manifest)
    return manifest


@dataclass
class CheckReport:
    """What `grader check` found, for printing; never a hidden answer or hidden result."""

    folder: Path
    lines: list[str] = field(default_factory=list)
    errors: int = 0
    missing: int = 0
    answered: int = 0
    # Function parts that would score 0 (solution.py missing or not importing), each with why:
    # unlike a typed answer's problem, they do not stop `grader submit` (see check.submit).
    code_problems: list[str] = field(default_factory=list)
    sandbox_level: str = ""  # the level solution.py ran at in this check; "" when it did not run

    @property
    def ready(self) -> bool:
        return self.errors == 0
