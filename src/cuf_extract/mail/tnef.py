"""Outlook's winmail.dat (TNEF, [MS-OXTNEF]): just enough to take the attached files out.

A TNEF stream is a signature, a key, then attributes (level, id, length, data, checksum).
An attachment starts with attAttachRendData; its file name is attAttachTitle, or the
long name among its MAPI properties (attAttachment); its bytes are attAttachData. The
message's own text is not read (the e-mail around the winmail.dat carries it).
"""

from __future__ import annotations

import contextlib
import struct
from dataclasses import dataclass

TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
#: Attributes read in one winmail.dat (a message with ten attachments has ~100).
MAX_TNEF_ATTRIBUTES = 10_000

_ATT_ATTACH_REND_DATA = 0x9002
_ATT_ATTACH_TITLE = 0x8010
_ATT_ATTACH_DATA = 0x800F
_ATT_ATTACHMENT = 0x9005
_ATT_OEM_CODEPAGE = 0x9007
_PR_ATTACH_DATA = 0x3701
_PR_ATTACH_LONG_FILENAME = 0x3707
_PR_ATTACH_MIME_TAG = 0x370E

_FIXED_SIZES = {0x0002: 2, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8,
                0x000A: 4, 0x000B: 2, 0x0014: 8, 0x0040: 8, 0x0048: 16}
_VARIABLE = frozenset({0x001E, 0x001F, 0x0102, 0x000D})


class TnefError(ValueError):
    """Not a TNEF stream, or a damaged one."""


@dataclass(frozen=True, slots=True)
class TnefFile:
    name: str
    data: bytes
    content_type: str = ""


def is_tnef(data: bytes) -> bool:
    return data[:4] == TNEF_SIGNATURE


def read_tnef(data: bytes) -> list[TnefFile]:
    """The files attached in a winmail.dat, in order. Raises `TnefError` when damaged."""
    if not is_tnef(data) or len(data) < 6:
        raise TnefError("not a TNEF stream")
    position = 6
    codepage = "cp1252"
    files: list[TnefFile] = []
    current: dict[str, object] | None = None
    count = 0
    while position + 9 <= len(data):
        count += 1
        if count > MAX_TNEF_ATTRIBUTES:
            raise TnefError("too many attributes")
        _level, attribute, length = struct.unpack_from("<BII", data, position)
        start = position + 9
        end = start + length
        if end + 2 > len(data):
            raise TnefError("attribute runs past the end")
        value = data[start:end]
        position = end + 2  # checksum not verified: Outlook's own readers do not either
        attribute_id = attribute & 0xFFFF
        if attribute_id == _ATT_OEM_CODEPAGE and length >= 4:
            number = struct.unpack_from("<I", value)[0]
            codepage = f"cp{number}" if _known_codec(f"cp{number}") else codepage
        elif attribute_id == _ATT_ATTACH_REND_DATA:
            if current is not None:
                _close(current, files)
            current = {}
        elif current is not None and attribute_id == _ATT_ATTACH_TITLE:
            current["title"] = value.split(b"\x00", 1)[0].decode(codepage, "replace")
        elif current is not None and attribute_id == _ATT_ATTACH_DATA:
            current["data"] = value
        elif current is not None and attribute_id == _ATT_ATTACHMENT:
            props: dict[int, str | bytes] = {}
            # Damaged properties: keep what was read before the damage.
            with contextlib.suppress(struct.error, IndexError, UnicodeDecodeError):
                _mapi_values(value, codepage, props)
            for prop, key in ((_PR_ATTACH_LONG_FILENAME, "long"), (_PR_ATTACH_MIME_TAG, "type")):
                if isinstance(props.get(prop), str):
                    current[key] = props[prop]
            # Outlook may keep the file in the attachment's properties rather than in
            # attAttachData (PR_ATTACH_DATA_OBJ).
            if isinstance(props.get(_PR_ATTACH_DATA), bytes):
                current["mapi_data"] = props[_PR_ATTACH_DATA]
    if current is not None:
        _close(current, files)
    return files


def _known_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _close(current: dict[str, object], files: list[TnefFile]) -> None:
    data = current.get("data")
    if not isinstance(data, bytes) or not data:
        data = current.get("mapi_data", data)
    if not isinstance(data, bytes):
        return
    name = current.get("long") or current.get("title") or f"piece-jointe-{len(files) + 1}"
    content_type = current.get("type")
    files.append(TnefFile(name=str(name), data=data,
                          content_type=content_type if isinstance(content_type, str) else ""))


def _mapi_values(value: bytes, codepage: str, found: dict[int, str | bytes]) -> None:
    """The string and binary properties of a MAPI property list (attAttachment), into
    `found`; an object property (an attached file) loses its 16-byte interface id."""
    (count,) = struct.unpack_from("<I", value, 0)
    position = 4
    for _ in range(min(count, 1000)):
        prop_type, prop_id = struct.unpack_from("<HH", value, position)
        position += 4
        if prop_id >= 0x8000:  # a named property: GUID, kind, then an id or a name
            position += 16
            (kind,) = struct.unpack_from("<I", value, position)
            position += 4
            if kind == 0:
                position += 4
            else:
                (name_length,) = struct.unpack_from("<I", value, position)
                position += 4 + _padded(name_length)
        multi = bool(prop_type & 0x1000)
        base = prop_type & 0x0FFF
        values = 1
        if multi or base in _VARIABLE:
            (values,) = struct.unpack_from("<I", value, position)
            position += 4
        for _ in range(min(values, 1000)):
            if base in _VARIABLE:
                (length,) = struct.unpack_from("<I", value, position)
                position += 4
                raw = value[position:position + length]
                position += _padded(length)
                if base == 0x001F:
                    found[prop_id] = raw.decode("utf-16-le", "replace").rstrip("\x00")
                elif base == 0x001E:
                    found[prop_id] = raw.split(b"\x00", 1)[0].decode(codepage, "replace")
                elif base == 0x0102:
                    found[prop_id] = raw
                elif base == 0x000D:
                    found[prop_id] = raw[16:]
            elif base in _FIXED_SIZES:
                position += _padded(_FIXED_SIZES[base])
            else:
                return  # an unknown type: its size is unknown, stop here


def _padded(length: int) -> int:
    return (length + 3) // 4 * 4
