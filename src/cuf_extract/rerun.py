"""What makes an unchanged rerun cheap: files not hashed again, outputs not rewritten.

Two small records in `.cuf-extract/` beside the outputs, each one JSON file written
atomically (temporary file, then `os.replace`), and only ever an optimisation: a record
that cannot be read or written is ignored and the run does the full work.

- `fichiers.json`: path, size and modification time (ns) -> SHA-256 of each input, and
  when the run that hashed them started. A file whose size and mtime are unchanged is
  not read again to find its hash (then its cached result is taken), **provided its
  mtime is older than that run's start by more than `MTIME_MARGIN_NS`**: a file written
  just before, during or after the run that hashed it could have been written again
  within the file system's timestamp resolution (2 s on FAT, 1 s on some network
  shares) without its mtime moving, so it is hashed again. What is not detected: a file
  whose content is changed with the same size and whose old mtime is then put back on
  purpose (`touch -r`, `os.utime`, some copy tools); `--no-cache` reads everything.
- `sorties.json`: the outputs the last run wrote (their size and mtime), a digest of
  what they were made from (every result, the output paths, the working folder, the
  tool's code, the list of recipients given) and the « Sans réponse à ce jour » line
  printed with them. When a rerun finds the same digest and the outputs untouched
  since, nothing it could write is new: the outputs are left as they are, without
  reading the workbook back.
  Their « Depuis la dernière fois » column and the report keep describing the run that
  wrote them, so what that run found new stays marked as new until something changes
  (rewriting them would only turn « nouveau » into « inchangé »).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cuf_extract.models import EXCLUDED_FIELDS, Run

STATE_FOLDER = Path(".cuf-extract")
FILES_INDEX = "fichiers.json"
OUTPUTS_RECORD = "sorties.json"
INDEX_VERSION = 1
OUTPUTS_VERSION = 2  # 2: every unchanged rerun keeps the outputs; the recipients' line
# A file modified less than this before the run that hashed it is hashed again.
MTIME_MARGIN_NS = 2_000_000_000
READ_CHUNK = 1 << 20


class FileIndex:
    """SHA-256 of input files by path, size and mtime, kept between runs in `path`."""

    def __init__(self, path: Path):
        self.path = path
        self.started_ns = time.time_ns()
        self.hashed = 0  # files actually read to hash them, in this run
        self._previous_start = 0
        self._entries: dict[str, tuple[int, int, str]] = {}
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == INDEX_VERSION:
                self._previous_start = int(data["started_ns"])
                self._entries = {
                    key: (int(size), int(mtime), str(sha))
                    for key, (size, mtime, sha) in data["files"].items()
                }
        self._seen: dict[str, tuple[int, int, str]] = {}

    def sha256(self, file: Path, *, max_bytes: int) -> str | None:
        """The file's SHA-256, from the index when size and mtime say it has not changed
        (see the module's docstring for when that is trusted); None if it cannot be read
        or is larger than `max_bytes`."""
        key = str(file.absolute())
        try:
            stat = file.stat()
        except OSError:
            return None
        if stat.st_size > max_bytes:
            return None
        known = self._entries.get(key)
        if (
            known is not None
            and known[0] == stat.st_size
            and known[1] == stat.st_mtime_ns
            and stat.st_mtime_ns < self._previous_start - MTIME_MARGIN_NS
        ):
            self._seen[key] = known
            return known[2]
        try:
            digest = hashlib.sha256()
            with file.open("rb") as fh:
                while chunk := fh.read(READ_CHUNK):
                    digest.update(chunk)
        except OSError:
            return None
        self.hashed += 1
        sha = digest.hexdigest()
        self._seen[key] = (stat.st_size, stat.st_mtime_ns, sha)
        return sha

    def save(self) -> None:
        """Keep the files met in this run (the others are forgotten)."""
        data = {"version": INDEX_VERSION, "started_ns": self.started_ns,
                "files": {k: list(v) for k, v in self._seen.items()}}
        write_json(self.path, data)


def outputs_digest(run: Run, outputs: Sequence[Path], *, fingerprint: str) -> str:
    """A digest of everything the outputs are made from, the comparison with the
    previous workbook aside (that one is checked through the outputs' own record)."""
    digest = hashlib.sha256(f"{INDEX_VERSION}:{fingerprint}:{Path.cwd()}".encode())
    for path in outputs:
        digest.update(f"\0{path.absolute()}".encode())
    # The JSON, and the fields left out of the JSON contract (respondent source, dates,
    # candidates) apart: pydantic's repr of a whole run costs ten times its JSON.
    try:
        digest.update(run.model_dump_json().encode())
    except ValueError:  # a lone surrogate (an undecodable file name): no JSON for it
        digest.update(repr(run).encode("utf-8", "surrogatepass"))
    for file in run.files:
        digest.update(repr(tuple(getattr(file, name) for name in EXCLUDED_FIELDS))
                      .encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass(frozen=True)
class KeptOutputs:
    """Outputs left as the last run wrote them, and what that run said of them."""

    recipients_line: str | None  # its « Sans réponse à ce jour » line, if it had a list
    written_ns: int  # when it wrote the first output (mtime)


def reusable_outputs(record_file: Path, digest: str, outputs: Sequence[Path]
                     ) -> KeptOutputs | None:
    """The last outputs, when they can be kept as they are: same digest, files untouched
    since they were written."""
    try:
        data = json.loads(record_file.read_text(encoding="utf-8"))
        if data.get("version") != OUTPUTS_VERSION or data.get("digest") != digest:
            return None
        written = data["outputs"]
        if sorted(written) != sorted(str(p.absolute()) for p in outputs):
            return None
        for path in outputs:
            stat = path.stat()
            if [stat.st_size, stat.st_mtime_ns] != written[str(path.absolute())]:
                return None
        line = data["recipients_line"]
        return KeptOutputs(
            recipients_line=line if isinstance(line, str) else None,
            written_ns=int(written[str(outputs[0].absolute())][1]),
        )
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None


def record_outputs(record_file: Path, digest: str, outputs: Sequence[Path],
                   recipients_line: str | None = None) -> None:
    """Remember the outputs just written (all at their usual paths) and the recipients'
    line printed with them."""
    try:
        stats = {str(p.absolute()): [p.stat().st_size, p.stat().st_mtime_ns] for p in outputs}
    except OSError:
        return
    write_json(record_file, {"version": OUTPUTS_VERSION, "digest": digest, "outputs": stats,
                              "recipients_line": recipients_line})


def forget_outputs(record_file: Path) -> None:
    with contextlib.suppress(OSError):
        record_file.unlink(missing_ok=True)


# Folders this process made or found, so that each cache entry does not ask again.
_MADE_FOLDERS: set[Path] = set()


def write_json(path: Path, data: object) -> None:
    """Write `data` as JSON through a temporary file and `os.replace`; a failure leaves
    the previous file (or none) and is ignored: these files are only optimisations.
    The text is encoded before any file is made (a string UTF-8 cannot hold, such as a
    lone surrogate, fails there), and the temporary file is removed whatever fails."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        content = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if path.parent not in _MADE_FOLDERS:  # mkdir on an existing folder is slow here
            path.parent.mkdir(parents=True, exist_ok=True)
            _MADE_FOLDERS.add(path.parent)
        try:
            temp.write_bytes(content)
        except FileNotFoundError:  # the folder was removed since: make it again
            _MADE_FOLDERS.discard(path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(content)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
