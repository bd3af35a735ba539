"""Reruns are cheap: a file already read, unchanged, is not parsed again.

Each file's result (before the checks that compare files) is stored as JSON in
`.cuf-extract/cache/` beside the outputs, keyed by the file's SHA-256, its name (the
respondent may come from it), the questionnaire, and the tool's own code: any change
to the tool or the questionnaire reads every file afresh. The cache is only an
optimisation: an entry that cannot be read or written is ignored. Files unchanged in
size and mtime are not even hashed again (`rerun.FileIndex`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from cuf_extract import __version__
from cuf_extract.models import FileResult, IssueCode
from cuf_extract.rerun import FILES_INDEX, FileIndex, write_json

CACHE_FOLDER = Path(".cuf-extract") / "cache"
_EXCLUDED_FIELDS = ("respondent_source", "document_date", "respondent_candidates")  # not dumped


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

    def sha256(self, path: Path, *, max_bytes: int) -> str | None:
        """The file's SHA-256, without reading it again when it has not changed."""
        return self.index.sha256(path, max_bytes=max_bytes)

    def save_index(self) -> None:
        self.index.save()

    def _entry(self, sha256: str, name: str) -> Path:
        name_key = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        return self.folder / sha256[:2] / f"{sha256}-{name_key}-{self.salt}.json"

    def get(self, sha256: str, name: str, path: str) -> FileResult | None:
        entry = self._entry(sha256, name)
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            engine = data.pop(_OCR_ENGINE, None)
            if engine is not None and engine != _ocr_fingerprint():
                return None  # read by another Tesseract or other language data: read again
            result = FileResult.model_validate({**data, "path": path, "name": name})
        except (OSError, ValueError):
            return None
        self.hits += 1
        return result

    def put(self, result: FileResult) -> None:
        if result.sha256 is None:
            return
        entry = self._entry(result.sha256, result.name)
        data = result.model_dump(mode="json")
        for name in _EXCLUDED_FIELDS:
            data[name] = getattr(result, name)
        if result.document_date is not None:  # ISO 8601 with its offset, read back as such
            data["document_date"] = result.document_date.isoformat()
        if any(issue.code is IssueCode.OCR for issue in result.issues):
            data[_OCR_ENGINE] = _ocr_fingerprint()
        write_json(entry, data)

    def prune(self) -> None:
        """Forget entries made by another version of the tool or for another questionnaire."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.glob("*/*.json"):
            if not entry.name.endswith(f"-{self.salt}.json"):
                with contextlib.suppress(OSError):
                    entry.unlink()
