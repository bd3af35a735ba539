"""Foreign formats (.doc, .odt, .rtf, Word XML) turned into .docx by LibreOffice, if present.

LibreOffice is optional: `find_soffice` returns None when it is not installed and the
caller then reports the file with `inputs.explain`. A conversion works on a *copy* of
the file in a private temporary folder, with a private LibreOffice profile (so that a
LibreOffice window the user has open is neither used nor disturbed), and is killed
with its whole process group when it exceeds its time limit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from cuf_extract.inputs import FileKind

__all__ = [
    "CONVERSION_TIMEOUT_SECONDS",
    "ConversionResult",
    "Converter",
    "convert_to_docx",
    "find_soffice",
]

#: Default time limit for one conversion. The first run also creates the profile (~5 s).
CONVERSION_TIMEOUT_SECONDS = 60.0

_MACOS_SOFFICE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
_WINDOWS_SOFFICE = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_SUFFIXES = {
    FileKind.DOC: ".doc",
    FileKind.ODT: ".odt",
    FileKind.RTF: ".rtf",
    FileKind.WORD_XML: ".xml",
}
_SAVE_AS = (
    "ouvrez-le dans Word ou LibreOffice et choisissez « Enregistrer sous » au format "
    "Document Word (.docx)"
)


def find_soffice() -> str | None:
    """The LibreOffice executable: on the PATH, else at its usual place; None if absent."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates: tuple[str, ...] = ()
    if sys.platform == "darwin":
        candidates = (_MACOS_SOFFICE,)
    elif sys.platform == "win32":
        candidates = _WINDOWS_SOFFICE
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    return None


@dataclass
class ConversionResult:
    """The outcome of one conversion; use it as a context manager to remove the temp folder.

    `docx` (when `ok`) lives in the temporary folder and disappears on `cleanup()`.
    `message` (when not `ok`) is one French sentence naming the file and what to do.
    """

    ok: bool
    docx: Path | None = None
    message: str | None = None
    detail: str = ""  # for developers: LibreOffice's output, the exit code
    _workdir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def cleanup(self) -> None:
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> ConversionResult:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.cleanup()


def _failure(
    name: str, why: str, detail: str, workdir: tempfile.TemporaryDirectory[str]
) -> ConversionResult:
    workdir.cleanup()
    return ConversionResult(
        ok=False,
        message=f"« {name} » n’a pas pu être converti par LibreOffice ({why}) : {_SAVE_AS}.",
        detail=detail,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill LibreOffice and every process it started."""
    if sys.platform == "win32":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        process.kill()
    else:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()


def convert_to_docx(
    path: Path,
    *,
    soffice: str,
    timeout: float = CONVERSION_TIMEOUT_SECONDS,
    kind: FileKind | None = None,
    profile_dir: Path | None = None,
) -> ConversionResult:
    """Convert a copy of `path` to .docx with LibreOffice; the original is never touched.

    `kind` (from `inputs.sniff`) picks the extension given to the copy, so that a file
    with a misleading extension is still imported with the right filter. `profile_dir`
    lets a batch share one LibreOffice profile (its first creation costs seconds);
    by default each conversion gets a fresh one in its temporary folder.
    """
    name = path.name
    workdir = tempfile.TemporaryDirectory(prefix="cuf-extract-", ignore_cleanup_errors=True)
    root = Path(workdir.name)
    source_dir, out_dir = root / "in", root / "out"
    source_dir.mkdir()
    out_dir.mkdir()
    suffix = _SUFFIXES.get(kind, path.suffix.lower()) if kind else path.suffix.lower()
    # A plain ASCII name: no quoting or code-page trouble on any system.
    copy = source_dir / f"document{suffix}"
    try:
        shutil.copyfile(path, copy)
    except OSError as error:
        return _failure(name, "le fichier ne peut pas être lu", str(error), workdir)
    profile = (profile_dir or root / "profile").resolve()
    command = [
        soffice,
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        # The filter is named: an .odt saved from a web page opens in Writer/Web, which
        # has no default .docx export ("no export filter").
        "docx:MS Word 2007 XML",
        "--outdir",
        str(out_dir),
        f"-env:UserInstallation={profile.as_uri()}",
        str(copy),
    ]
    popen_options: dict[str, object] = {}
    if sys.platform == "win32":
        popen_options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        popen_options["start_new_session"] = True
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=root,
            **popen_options,  # type: ignore[call-overload]
        )
    except OSError as error:
        return _failure(name, "LibreOffice ne peut pas être lancé", str(error), workdir)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        # A process that left the group could still hold the pipe: do not wait for it.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.communicate(timeout=5)
        return _failure(
            name,
            f"la conversion a dépassé le délai de {timeout:g} s",
            f"timeout after {timeout} s",
            workdir,
        )
    detail = f"exit code {process.returncode}: {output.decode('utf-8', errors='replace').strip()}"
    result = out_dir / "document.docx"
    if process.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
        return _failure(name, "LibreOffice n’a pas pu ouvrir le fichier", detail, workdir)
    return ConversionResult(ok=True, docx=result, detail=detail, _workdir=workdir)


class Converter:
    """LibreOffice, found once per run, with one profile shared by the run's conversions
    (creating a profile costs seconds). Without LibreOffice, foreign formats are errors
    whose message says how to convert them by hand."""

    def __init__(self) -> None:
        self._soffice: str | None = None
        self._looked = False
        self._profile: tempfile.TemporaryDirectory[str] | None = None

    @property
    def available(self) -> bool:
        if not self._looked:
            self._soffice = find_soffice()
            self._looked = True
        return self._soffice is not None

    def convert(self, path: Path, kind: FileKind) -> ConversionResult:
        assert self.available and self._soffice is not None
        if self._profile is None:
            self._profile = tempfile.TemporaryDirectory(
                prefix="cuf-extract-profile-", ignore_cleanup_errors=True
            )
        return convert_to_docx(path, soffice=self._soffice, kind=kind,
                               profile_dir=Path(self._profile.name))

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None
