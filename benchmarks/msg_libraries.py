"""Outlook .msg readers compared on a folder of real .msg files (not a test).

    python benchmarks/msg_libraries.py FOLDER

For each file: what the small olefile-based reader (`cuf_extract.mail`) and
extract-msg (GPL-3.0; install it in a separate environment, it is not a dependency)
find: sender, date, subject, attachments (nested messages entered), and the time to
open the file and get all of it. extract-msg is skipped when it is not installed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cuf_extract.mail.reader import read_message


def ours(data: bytes, name: str) -> tuple[bool, bool, int]:
    message = read_message(data, name=name)
    return (bool(message.sender.address or message.sender.name), bool(message.date),
            len(message.attachments))


def theirs(path: Path) -> tuple[bool, bool, int]:
    import extract_msg

    def count(item: object) -> int:
        found = 0
        for attachment in getattr(item, "attachments", ()):
            data = attachment.data
            found += count(data) if hasattr(data, "attachments") else 1
        return found

    with extract_msg.openMsg(str(path)) as message:
        return bool(message.sender), bool(message.date), count(message)


def main(folder: Path) -> None:
    totals = {"ours": [0.0, 0, 0], "extract-msg": [0.0, 0, 0]}
    for path in sorted(folder.glob("*.msg")):
        data = path.read_bytes()
        for label in ("ours", "extract-msg"):
            start = time.perf_counter()
            try:
                sender, date, attachments = (ours(data, path.name) if label == "ours"
                                             else theirs(path))
                outcome = f"sender={sender} date={date} attachments={attachments}"
                totals[label][2] += attachments
            except ImportError:
                continue
            except Exception as error:  # a reader's failure is a result here
                outcome = f"error {type(error).__name__}"
                totals[label][1] += 1
            totals[label][0] += time.perf_counter() - start
            print(f"{path.name[:40]:40} {label:12} {outcome}")
    for label, (seconds, errors, attachments) in totals.items():
        print(f"{label}: {seconds * 1000:.0f} ms in all, {errors} errors, "
              f"{attachments} attachments")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
