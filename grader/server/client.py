"""The student's side of `grader serve`: sign in once, upload an archive, wait for feedback.

Standard library only (urllib): students install no server dependencies. The token comes from
$GRADER_TOKEN, else from the file `grader login` writes (mode 0600), one token per server URL.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.core.errors import UserError
from grader.core.fsutil import atomic_write_text

TOKEN_ENV = "GRADER_TOKEN"
TIMEOUT = 30  # seconds for one request
POLL_SECONDS = 1.0


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "grader" / "servers.json"


def _saved() -> dict[str, str]:
    try:
        data = json.loads(credentials_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def normal_url(url: str) -> str:
    """The server's address without a trailing slash, if it is an http(s) address with a
    host (and a port from 1 to 65535, if one is given)."""
    url = url.strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(url)
        well_formed = parts.scheme in ("http", "https") and bool(parts.hostname) \
            and parts.port != 0  # .port raises ValueError when out of range or not a number
    except ValueError:
        well_formed = False
    if not well_formed:
        raise UserError(f"{url!r}: give the server's address, e.g. https://course.example "
                        "(http:// or https://, a host, and a port from 1 to 65535 if any)")
    return url


def login(url: str, token: str) -> dict[str, Any]:
    """Check the token with the server, then remember it for this URL; return who it is."""
    url = normal_url(url)
    me = request(url, "GET", "/api/whoami", token=token)
    saved = {**_saved(), url: token, "_last": url}
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_text(path, json.dumps(saved, indent=1) + "\n", mode=0o600)
    return me


def server_and_token(url: str | None) -> tuple[str, str]:
    saved = _saved()
    url = normal_url(url) if url else saved.get("_last", "")
    if not url:
        raise UserError("which server? give --to URL (or run `grader login URL --token T`)")
    token = os.environ.get(TOKEN_ENV) or saved.get(url)
    if not token:
        raise UserError(f"no token for {url}: run `grader login {url} --token YOUR_TOKEN` "
                        f"(from your instructor), or set {TOKEN_ENV}")
    return url, token


def request(url: str, method: str, path: str, *, token: str, body: bytes | None = None,
            content_type: str = "application/zip", unreachable: str = "") -> Any:
    """One JSON call; the server's own error message becomes a UserError (and an unreachable
    server one ending with `unreachable`, what the user's next step is)."""
    req = urllib.request.Request(url + path, data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json",
        **({"Content-Type": content_type} if body is not None else {})})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise UserError(f"{url}: {_reason(exc)}") from None
    except (urllib.error.URLError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise UserError(f"{url}: cannot reach the server ({why}){unreachable}") from None


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read().decode("utf-8"))["error"])
    except (ValueError, KeyError, TypeError, OSError):
        return f"HTTP {exc.code} {exc.reason}"


def upload(url: str, token: str, archive: Path) -> dict[str, Any]:
    """Send the archive; the server's receipt (id, received_at, sha256, status_url)."""
    return request(url, "POST", "/api/submissions", token=token, body=archive.read_bytes(),
                   unreachable="; your archive is kept, submit again when it is back")


def wait_for(url: str, token: str, receipt: dict[str, Any], *, wait: float,
             sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Poll the attempt until it is graded or `wait` seconds pass; its last state."""
    deadline = time.monotonic() + wait
    state = receipt
    while state.get("state") not in ("graded", "failed") and time.monotonic() < deadline:
        sleep(POLL_SECONDS)
        state = request(url, "GET", str(receipt["status_url"]), token=token)
    return state


def status(url: str, token: str, number: int | None = None) -> list[dict[str, Any]]:
    if number is not None:
        return [request(url, "GET", f"/api/submissions/{number}", token=token)]
    return list(request(url, "GET", "/api/submissions", token=token))


def describe(state: dict[str, Any], url: str) -> str:
    """What the terminal shows about one attempt."""
    head = (f"Attempt {state['id']}: received {state['received_at']} (server time), sha256 "
            f"{state['sha256'][:16]}...")
    if state.get("state") == "graded":
        return f"{head}\n{state.get('feedback') or ''}\nReport: {url}{state['report_url']}"
    if state.get("state") == "failed":
        return f"{head}\nGrading failed on the server; your instructor has been told."
    return (f"{head}\nStored; grading is not finished yet. See the feedback later with "
            f"`grader status --to {url} {state['id']}`.")
