"""Telling a saved message from other files by its first bytes (no heavy imports)."""

from __future__ import annotations

import re
from collections.abc import Collection

#: Characters of the header block that decide whether a file is a message.
SNIFF_HEADER_CHARS = 8192

_HEADER_NAME = re.compile(rb"^[!-9;-~]+:")
_MESSAGE_HEADERS = re.compile(
    rb"^(?:from|to|subject|date|message-id|received|return-path|x-mozilla-status|"
    rb"delivered-to|reply-to|x-mailer|thread-topic|x-ms-exchange[\w-]*):", re.IGNORECASE)
_MSG_PROPERTIES = "__properties_version1.0"


def looks_like_message(head: bytes) -> bool:
    """Whether a file starting with `head` is an RFC 5322 message (a .eml): a header
    block whose lines are all « Name: value » (or folded), two of them message headers
    (From, To, Subject, Date, Received…). Word's « page web à fichier unique » (MHTML)
    has only MIME-Version and Content-Type: it is not taken for a message."""
    text = head[:SNIFF_HEADER_CHARS].lstrip(b"\xef\xbb\xbf\r\n\t ")
    if text.startswith(b"From ") and b"\n" in text:  # an mbox "From " line (Thunderbird)
        text = text.split(b"\n", 1)[1]
    block = re.split(rb"\r?\n\r?\n", text, maxsplit=1)[0]
    lines = [line for line in block.splitlines() if line and line[:1] not in b" \t"]
    if len(lines) < 2 or not all(_HEADER_NAME.match(line) for line in lines[:3]):
        return False
    return sum(1 for line in lines if _MESSAGE_HEADERS.match(line)) >= 2


def is_msg_storage(names: Collection[str]) -> bool:
    """Whether an OLE compound file's root entries are an Outlook item's (.msg)."""
    return _MSG_PROPERTIES in names and any(n.startswith("__substg1.0_") for n in names)
