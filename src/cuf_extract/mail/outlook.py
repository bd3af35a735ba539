"""Outlook .msg files ([MS-OXMSG]): an OLE compound file of MAPI properties, read with
olefile (BSD).

Properties of a message, an attachment or an attached message sit in its storage:
fixed-size values in the `__properties_version1.0` stream (16 bytes each, after a
header of 32 bytes for the message, 24 for an attached message, 8 for an attachment),
variable-size ones in `__substg1.0_IIIITTTT` streams (property id, then type: 001F
UTF-16, 001E the message's code page, 0102 bytes, 000D an attached message's storage).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PROPERTIES = "__properties_version1.0"
_ATTACH_PREFIX = "__attach_version1.0_#"

PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENT_REPRESENTING_NAME = 0x0042
PR_TRANSPORT_MESSAGE_HEADERS = 0x007D
PR_SENDER_NAME = 0x0C1A
PR_SENDER_ADDRTYPE = 0x0C1E
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_MESSAGE_DELIVERY_TIME = 0x0E06
PR_BODY = 0x1000
PR_HTML = 0x1013
PR_DISPLAY_NAME = 0x3001
PR_ATTACH_DATA = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E
PR_ATTACH_CONTENT_ID = 0x3712
PR_ATTACH_FLAGS = 0x3714
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5D02
PR_ATTACHMENT_HIDDEN = 0x7FFE

_ATTACH_EMBEDDED_MSG = 5
_ATT_MHTML_REF = 0x4  # PR_ATTACH_FLAGS: rendered in the body (an inline picture)


@dataclass(frozen=True, slots=True)
class MsgAttachment:
    name: str
    data: bytes | None  # None for an attached message (see `embedded`)
    content_type: str
    inline: bool
    embedded: MsgItem | None = None


@dataclass(frozen=True, slots=True)
class MsgItem:
    subject: str
    sender_name: str | None
    sender_address: str | None
    date: str | None
    body_html: str | None
    body_text: str | None
    headers: str | None
    attachments: tuple[MsgAttachment, ...]
    hidden_attachments: int = 0  # over the limit, not read


class _Storage:
    """One storage of the .msg (the message, an attachment, an attached message)."""

    def __init__(self, ole: olefile.OleFileIO[str], path: tuple[str, ...], header: int,
                 codepage: str = "cp1252") -> None:
        self.ole = ole
        self.path = path
        self.codepage = codepage
        self.fixed: dict[int, tuple[int, bytes]] = {}
        raw = self.stream(_PROPERTIES)
        if raw is not None:
            for offset in range(header, len(raw) - 15, 16):
                tag, _flags = struct.unpack_from("<II", raw, offset)
                self.fixed[tag >> 16] = (tag & 0xFFFF, raw[offset + 8:offset + 16])

    def stream(self, name: str) -> bytes | None:
        full = [*self.path, name]
        if self.ole.exists("/".join(full)) and self.ole.get_type("/".join(full)) == 2:
            with self.ole.openstream(full) as handle:
                data: bytes = handle.read()
            return data
        return None

    def string(self, prop: int) -> str | None:
        raw = self.stream(f"__substg1.0_{prop:04X}001F")
        if raw is not None:
            return raw.decode("utf-16-le", "replace").rstrip("\x00") or None
        raw = self.stream(f"__substg1.0_{prop:04X}001E")
        if raw is not None:
            return raw.split(b"\x00", 1)[0].decode(self.codepage, "replace") or None
        return None

    def binary(self, prop: int) -> bytes | None:
        return self.stream(f"__substg1.0_{prop:04X}0102")

    def integer(self, prop: int) -> int | None:
        value = self.fixed.get(prop)
        if value is None or value[0] not in (0x0002, 0x0003, 0x000B):
            return None
        return int(struct.unpack_from("<i", value[1])[0])

    def time(self, prop: int) -> datetime | None:
        value = self.fixed.get(prop)
        if value is None or value[0] != 0x0040:
            return None
        ticks = struct.unpack_from("<Q", value[1])[0]
        if not ticks or ticks >= 0x7FFFFFFFFFFFFFFF:
            return None
        try:
            return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def children(self, prefix: str) -> list[str]:
        depth = len(self.path)
        names = {
            str(entry[depth]) for entry in self.ole.listdir(streams=False, storages=True)
            if len(entry) > depth and [str(e) for e in entry[:depth]] == list(self.path)
            and str(entry[depth]).startswith(prefix)
        }
        return sorted(names)


def _codepage(storage: _Storage) -> str:
    import codecs

    for prop in (PR_MESSAGE_CODEPAGE, PR_INTERNET_CPID):
        number = storage.integer(prop)
        if number:
            name = "utf-8" if number == 65001 else f"cp{number}"
            try:
                codecs.lookup(name)
            except LookupError:
                continue
            return name
    return "cp1252"


def read_msg(data: bytes, *, max_attachments: int, max_depth: int) -> MsgItem:
    """The message in a .msg file's bytes. Raises `OSError`/`ValueError` when damaged."""
    import olefile

    # The stubs tie the entry names' type to the source's: names are str whatever it is.
    ole = cast("olefile.OleFileIO[str]", olefile.OleFileIO(data))
    try:
        return _item(ole, (), 32, max_attachments=max_attachments, depth=max_depth)
    finally:
        ole.close()


def _item(ole: olefile.OleFileIO[str], path: tuple[str, ...], header: int, *,
          max_attachments: int, depth: int) -> MsgItem:
    storage = _Storage(ole, path, header)
    storage.codepage = _codepage(storage)
    html_codepage = storage.codepage
    internet = storage.integer(PR_INTERNET_CPID)
    if internet:
        html_codepage = "utf-8" if internet == 65001 else f"cp{internet}"
    html_raw = storage.binary(PR_HTML)
    html: str | None = None
    if html_raw is not None:
        try:
            html = html_raw.decode(html_codepage, "replace")
        except LookupError:
            html = html_raw.decode("cp1252", "replace")
    else:
        html = storage.string(PR_HTML)
    address = (storage.string(PR_SENDER_SMTP_ADDRESS)
               or storage.string(PR_SENT_REPRESENTING_SMTP_ADDRESS))
    if address is None and (storage.string(PR_SENDER_ADDRTYPE) or "SMTP").upper() == "SMTP":
        address = storage.string(PR_SENDER_EMAIL_ADDRESS)
    when = storage.time(PR_MESSAGE_DELIVERY_TIME) or storage.time(PR_CLIENT_SUBMIT_TIME)
    names = storage.children(_ATTACH_PREFIX)
    attachments = [_attachment(ole, (*path, name), max_attachments=max_attachments, depth=depth)
                   for name in names[:max_attachments]]
    return MsgItem(
        subject=storage.string(PR_SUBJECT) or "",
        sender_name=storage.string(PR_SENDER_NAME) or storage.string(PR_SENT_REPRESENTING_NAME),
        sender_address=address,
        date=when.isoformat() if when else None,
        body_html=html,
        body_text=storage.string(PR_BODY),
        headers=storage.string(PR_TRANSPORT_MESSAGE_HEADERS),
        attachments=tuple(attachments),
        hidden_attachments=max(0, len(names) - max_attachments),
    )


def _attachment(ole: olefile.OleFileIO[str], path: tuple[str, ...], *, max_attachments: int,
                depth: int) -> MsgAttachment:
    storage = _Storage(ole, path, 8)
    name = (storage.string(PR_ATTACH_LONG_FILENAME) or storage.string(PR_ATTACH_FILENAME)
            or storage.string(PR_DISPLAY_NAME) or "")
    content_type = (storage.string(PR_ATTACH_MIME_TAG) or "").lower()
    flags = storage.integer(PR_ATTACH_FLAGS) or 0
    hidden = bool(storage.integer(PR_ATTACHMENT_HIDDEN))
    inline = hidden or bool(flags & _ATT_MHTML_REF) or (
        bool(storage.string(PR_ATTACH_CONTENT_ID)) and content_type.startswith("image/"))
    embedded_path = (*path, f"__substg1.0_{PR_ATTACH_DATA:04X}000D")
    if storage.integer(PR_ATTACH_METHOD) == _ATTACH_EMBEDDED_MSG or ole.exists(
            "/".join(embedded_path)):
        if depth <= 1:
            return MsgAttachment(name=name or "message joint", data=None,
                                 content_type="message/rfc822", inline=False)
        inner = _item(ole, embedded_path, 24, max_attachments=max_attachments, depth=depth - 1)
        return MsgAttachment(name=name or inner.subject or "message joint", data=None,
                             content_type="application/vnd.ms-outlook", inline=False,
                             embedded=inner)
    return MsgAttachment(name=name, data=storage.binary(PR_ATTACH_DATA) or b"",
                         content_type=content_type, inline=inline)
