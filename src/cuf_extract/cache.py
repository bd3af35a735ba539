"""Reruns are cheap: a file already read, unchanged, is not parsed again.

Each file's result (before the checks that compare files) is stored as JSON in
`.cuf-extract/cache/` beside the outputs, keyed by the file's SHA-256, its name (the
respondent may come from it), the questionnaire, and the tool's own code: any change
to the tool or the questionnaire reads every file afresh. The cache is only an
optimisation: an entry that cannot be read or written is ignored. Files unchanged in
size and mtime are not even hashed again (`rerun.FileIndex`).

Entries are lines appended to pack files, one pack per process that reads files
(`<salt>-<pid>-<random>.jsonl`, a line `<key>\t<JSON>` per result, flushed as it is
written): making, writing and renaming one small file per result cost more than reading
a reply on some file systems (and much more with an antivirus watching each new file).
A line cut short by a crash is not valid JSON and is a miss. `prune`, after a run,
removes the packs of other code or questionnaires (their salt differs) and merges this
salt's packs into one when there are many.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

from cuf_extract import __version__
from cuf_extract.models import EXCLUDED_FIELDS, FileResult, IssueCode
from cuf_extract.rerun import FILES_INDEX, FileIndex

CACHE_FOLDER = Path(".cuf-extract") / "cache"


# Libraries whose upgrade may change what is read from a file (PDFium's text layer).
_READING_LIBRARIES = ("pypdfium2", "lxml", "rapidfuzz")


def code_fingerprint() -> str:
    """The tool's version and its modules' sizes and dates (a developer's edit counts
    too), and the versions of the libraries that read the files."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for library in _READING_LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            digest.update(f"{library}={version(library)}".encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml"):
            stat = path.stat()
            digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


# Results read by OCR also depend on Tesseract's version and language data, which only
# such results pay to look up (running `tesseract --version` costs tens of ms).
_OCR_ENGINE = "ocr_engine"


def _ocr_fingerprint() -> str:
    from cuf_extract.ocr_reader import engine_fingerprint

    return engine_fingerprint()


#: This salt's packs are merged into one when a run ends with more than this many.
MAX_PACKS = 8
PACK_SUFFIX = ".jsonl"


class ResultCache:
    """Results by file content, in `folder`."""

    def __init__(self, folder: Path, *, questionnaire_digest: str):
        self.folder = folder
        self.salt = hashlib.sha256(
            f"{code_fingerprint()}:{questionnaire_digest}".encode()
        ).hexdigest()[:16]
        self.hits = 0
        # Hashes of unchanged files, beside the cache folder (see rerun.FileIndex).
        self.index = FileIndex(folder.parent / FILES_INDEX)
        self._entries: dict[bytes, bytes] | None = None  # key -> JSON, read on first use
        self._pack: BinaryIO | None = None  # this process's pack, opened on first put
        self._pack_pid = 0  # the process that opened it

    def __getstate__(self) -> dict[str, object]:
        # Sent to worker processes: each reads the packs and opens its own pack itself.
        return {**self.__dict__, "_entries": None, "_pack": None}

    def sha256(self, path: Path, *, max_bytes: int) -> str | None:
        """The file's SHA-256, without reading it again when it has not changed."""
        return self.index.sha256(path, max_bytes=max_bytes)

    def save_index(self) -> None:
        self.index.save()

    def _key(self, sha256: str, name: str) -> bytes:
        name_key = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        return f"{sha256}-{name_key}".encode("ascii", "replace")

    def _packs(self) -> list[Path]:
        """This salt's packs, oldest first: an entry written again (its file read again
        after a line was cut short) is taken from the newest pack."""
        found: list[tuple[int, str, Path]] = []
        with contextlib.suppress(OSError):
            for pack in self.folder.glob(f"{self.salt}-*{PACK_SUFFIX}"):
                with contextlib.suppress(OSError):
                    found.append((pack.stat().st_mtime_ns, pack.name, pack))
        return [pack for *_, pack in sorted(found)]

    def _read_entries(self) -> dict[bytes, bytes]:
        if self._entries is None:
            self._entries = {}
            for pack in self._packs():
                with contextlib.suppress(OSError):
                    for line in pack.read_bytes().split(b"\n"):
                        key, tab, data = line.partition(b"\t")
                        if tab:
                            self._entries[key] = data
        return self._entries

    def get(self, sha256: str, name: str, path: str) -> FileResult | None:
        data = self._read_entries().get(self._key(sha256, name))
        if data is None:
            return None
        try:
            found = json.loads(data)
            engine = found.pop(_OCR_ENGINE, None)
            if engine is not None and engine != _ocr_fingerprint():
                return None  # read by another Tesseract or other language data: read again
            result = FileResult.model_validate({**found, "path": path, "name": name})
        except (ValueError, TypeError, AttributeError):
            return None  # a line cut short, or not ours
        self.hits += 1
        return result

    def put(self, result: FileResult) -> None:
        if result.sha256 is None:
            return
        data = result.model_dump(mode="json")
        for name in EXCLUDED_FIELDS:
            data[name] = getattr(result, name)
        if result.document_date is not None:  # ISO 8601 with its offset, read back as such
            data["document_date"] = result.document_date.isoformat()
        if any(issue.code is IssueCode.OCR for issue in result.issues):
            data[_OCR_ENGINE] = _ocr_fingerprint()
        try:
            # JSON escapes line breaks inside strings: one line per entry. A lone
            # surrogate cannot be written in UTF-8: that result is not cached.
            line = json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return
        key = self._key(result.sha256, result.name)
        with contextlib.suppress(OSError):
            # A process forked with this cache writes a pack of its own, never its parent's.
            pack = (self._pack if self._pack is not None and self._pack_pid == os.getpid()
                    else self._open_pack())
            pack.write(key + b"\t" + line + b"\n")
            pack.flush()
        if self._entries is not None:
            self._entries[key] = line

    def _open_pack(self) -> BinaryIO:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.salt}-{os.getpid()}-{secrets.token_hex(4)}{PACK_SUFFIX}"
        self._pack = (self.folder / name).open("ab")
        self._pack_pid = os.getpid()
        return self._pack

    def close(self) -> None:
        if self._pack is not None:
            with contextlib.suppress(OSError):
                self._pack.close()
            self._pack = None

    def prune(self) -> None:
        """Forget what another version of the tool or another questionnaire stored (and
        the one-file-per-result entries of earlier versions); merge this salt's packs
        into one when there are more than `MAX_PACKS`."""
        self.close()
        if not self.folder.is_dir():
            return
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir() and len(entry.name) == 2:  # earlier versions' layout
                    shutil.rmtree(entry, ignore_errors=True)
                elif entry.suffix == ".tmp" or (entry.suffix == PACK_SUFFIX and
                                                not entry.name.startswith(f"{self.salt}-")):
                    entry.unlink()  # another salt's pack, or a merge cut short
        packs = self._packs()
        if len(packs) <= MAX_PACKS:
            return
        self._entries = None
        kept = self._read_entries()
        merged = self.folder / f"{self.salt}-{os.getpid()}-{secrets.token_hex(4)}{PACK_SUFFIX}"
        temp = merged.with_suffix(".tmp")
        try:
            temp.write_bytes(b"".join(key + b"\t" + data + b"\n"
                                      for key, data in kept.items()))
            os.replace(temp, merged)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            return
        for pack in packs:
            with contextlib.suppress(OSError):
                pack.unlink()  # (a pack another run still writes stays, on Windows)
