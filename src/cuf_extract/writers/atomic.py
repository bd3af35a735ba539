"""Write an output file atomically, never leaving a half-written file behind.

The content goes to a hidden temporary file in the target's folder, is checked, then
moved onto the target with `os.replace` (atomic on the same file system). When the
target is open in Excel (its lock file ``~$<name>`` sits beside it, or Windows refuses
the replacement), the output is written under a dated name instead and that path is
returned: the caller compares it with the target and tells the user.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

__all__ = [
    "OutputError",
    "OutputLocked",
    "OutputNotWritable",
    "atomic_write",
    "dated_path",
    "is_locked",
    "lock_file",
]


class OutputError(Exception):
    """An output file could not be written; the message says why, in French."""


class OutputNotWritable(OutputError):
    """The target's folder does not exist or cannot be written to."""


class OutputLocked(OutputError):
    """The target is locked and the dated replacement could not be written either."""


def lock_file(target: Path) -> Path:
    """Excel's owner file for `target`: ``~$<name>`` in the same folder."""
    return target.with_name("~$" + target.name)


def is_locked(target: Path) -> bool:
    """True if Excel (or LibreOffice) says the file is open."""
    libreoffice = target.with_name(f".~lock.{target.name}#")
    return lock_file(target).exists() or libreoffice.exists()


def dated_path(target: Path, now: datetime | None = None) -> Path:
    """``<stem>-<YYYYMMDD-HHMMSS><suffix>`` beside `target`, not an existing file."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.stem}-{stamp}{target.suffix}")
    number = 2
    while candidate.exists() or is_locked(candidate):
        candidate = target.with_name(f"{target.stem}-{stamp}-{number}{target.suffix}")
        number += 1
    return candidate


def _create_temp(target: Path) -> Path:
    """Create an empty hidden file beside `target`, with the same suffix."""
    folder = target.parent
    for _ in range(100):
        temp = folder / f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}"
        try:
            # 0o666 filtered by the umask: the output gets ordinary permissions.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError as exc:
            raise OutputNotWritable(
                f"Le dossier {folder} n’existe pas : impossible d’y écrire {target.name}."
            ) from exc
        except OSError as exc:
            raise OutputNotWritable(
                f"Impossible d’écrire dans le dossier {folder} ({exc.strerror}) : "
                f"choisissez un autre emplacement pour {target.name}."
            ) from exc
        os.close(fd)
        return temp
    raise OutputNotWritable(f"Impossible de créer un fichier temporaire dans le dossier {folder}.")


def atomic_write(
    target: Path,
    write: Callable[[Path], object],
    verify: Callable[[Path], object] | None = None,
    *,
    now: datetime | None = None,
) -> Path:
    """Write `target` through `write(temp_path)`, check it with `verify`, then move it in place.

    Returns the path actually written: `target`, or a dated name beside it when the
    target is open in Excel. On any failure the temporary file is removed, the previous
    target is left untouched and the exception propagates.
    Raises `OutputNotWritable` when the folder cannot be written to, `OutputLocked` when
    neither the target nor its dated replacement can be replaced.
    """
    target = Path(target)
    destination = dated_path(target, now) if is_locked(target) else target
    temp = _create_temp(target)
    try:
        write(temp)
        if verify is not None:
            verify(temp)
        try:
            os.replace(temp, destination)
        except PermissionError as exc:
            # Windows refuses to replace a file open in another program.
            if destination != target:
                raise OutputLocked(
                    f"Impossible d’écrire {destination} : le fichier est verrouillé "
                    f"({exc.strerror})."
                ) from exc
            destination = dated_path(target, now)
            try:
                os.replace(temp, destination)
            except PermissionError as exc2:
                raise OutputLocked(
                    f"Impossible de remplacer {target.name} ni d’écrire {destination.name} "
                    f"({exc2.strerror}) : fermez le fichier ou choisissez un autre emplacement."
                ) from exc2
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    return destination
