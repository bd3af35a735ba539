"""Dates, read once and shown one way.

A document's date comes from its properties as text in the format's own notation —
Word's ISO 8601 in UTC (« 2020-02-09T10:30:00Z »), a PDF's « D:20200209113000+01'00' »,
an e-mail's header — and becomes a timezone-aware `datetime` here, so that two replies
are compared as instants whatever wrote them. Staff read dates in French as the document
wrote them (« 09/02/2020 11:30 », the wall-clock time in the date's own offset: UTC for
Word), and a workbook cell holds that wall-clock time, Excel having no time zones. A
leaf: standard library only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["aware", "french_date", "iso_from_pdf", "parse_french_date", "parse_iso", "wall_clock"]

# ISO 8601 / W3CDTF as document properties and e-mails write it; seconds, fractions and
# the offset are optional.
_ISO = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?)?")
# A PDF date (ISO 32000 7.9.4): « D:YYYYMMDDHHmmSSOHH'mm' », every part after the year
# optional; O is +, - or Z.
_PDF = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
                  r"(?:([Zz+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?")
# The French text `french_date` writes, and staff type: « 09/02/2020 11:30 », « 9/2/2020 ».
_FRENCH = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?\s*")


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 date as an aware `datetime`; one written without an offset is taken
    in the machine's local time. None for anything else."""
    match = _ISO.match(text or "")
    if match is None:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0))
    except ValueError:
        return None
    if offset is None:
        return moment.astimezone()  # naive: local time
    if offset == "Z":
        return moment.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(moment.isoformat() + offset[:3] + ":" + offset[-2:])
    except ValueError:
        return None


def iso_from_pdf(value: str | None) -> str | None:
    """A PDF date as ISO 8601, its offset kept: « D:20200207103000+01'00' » ->
    « 2020-02-07T10:30:00+01:00 »; none when the PDF gave none (then it is local time)."""
    match = _PDF.match(value or "")
    if match is None:
        return None
    year, month, day, hour, minute, second, sign, off_hours, off_minutes = match.groups()
    iso = f"{year}-{month or '01'}-{day or '01'}"
    if hour:
        iso += f"T{hour}:{minute or '00'}:{second or '00'}"
        if sign in ("Z", "z"):
            iso += "Z"
        elif sign and off_hours:
            iso += f"{sign}{off_hours}:{off_minutes or '00'}"
    return iso


def aware(value: object) -> object:
    """`value` made timezone-aware when it is a date: ISO text parsed (`parse_iso`), a
    naive `datetime` taken in local time; anything else as it is (for validation)."""
    if isinstance(value, str):
        return parse_iso(value) if value.strip() else None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.astimezone()
    return value


def wall_clock(moment: datetime) -> datetime:
    """`moment`'s wall-clock time as written, naive (what a workbook cell holds)."""
    return moment.replace(tzinfo=None)


def french_date(moment: datetime | None, *, time: bool = True) -> str:
    """A date as staff read it, as the document wrote it: « 09/02/2020 11:30 »; « 09/02/2020 »
    without `time` or when it has no time of day (a date-only property reads as midnight);
    "" for none."""
    if moment is None:
        return ""
    time = time and moment.timetz().replace(tzinfo=None) != datetime.min.time()
    return moment.strftime("%d/%m/%Y %H:%M" if time else "%d/%m/%Y")


def parse_french_date(text: str) -> datetime | None:
    """`french_date`'s text back to a naive local date (« 09/02/2020 11:30 »,
    « 09/02/2020 »); None for anything else. The workbook holds « Date du document » as a
    date cell since it is sorted by date; older workbooks hold this text."""
    match = _FRENCH.fullmatch(text)
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None
