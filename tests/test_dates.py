"""Dates read once, as timezone-aware datetimes, and shown one way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cuf_extract.dates import french_date, iso_from_pdf, parse_french_date, parse_iso
from cuf_extract.models import FileResult, Status

PARIS_WINTER = timezone(timedelta(hours=1))


@pytest.mark.parametrize(("text", "expected"), [
    ("2020-02-09T10:30:00Z", datetime(2020, 2, 9, 10, 30, tzinfo=UTC)),
    ("2020-02-09T10:30:00.1234567Z", datetime(2020, 2, 9, 10, 30, tzinfo=UTC)),
    ("2020-02-09T11:30:00+01:00", datetime(2020, 2, 9, 11, 30, tzinfo=PARIS_WINTER)),
    ("2020-02-09T11:30:00+0100", datetime(2020, 2, 9, 11, 30, tzinfo=PARIS_WINTER)),
    ("2020-02-09T11:30", datetime(2020, 2, 9, 11, 30).astimezone()),  # no offset: local
    ("2020-02-09", datetime(2020, 2, 9).astimezone()),
    ("2020-02-31T10:00:00Z", None),
    ("9 février 2020", None),
    ("", None),
    (None, None),
])
def test_iso_dates_become_aware_datetimes(text: str | None, expected: datetime | None) -> None:
    parsed = parse_iso(text)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(("value", "expected"), [
    ("D:20200207103000+01'00'", "2020-02-07T10:30:00+01:00"),
    ("D:20200207103000+01'00", "2020-02-07T10:30:00+01:00"),
    ("D:20200207103000-05'30'", "2020-02-07T10:30:00-05:30"),
    ("D:20200207103000Z", "2020-02-07T10:30:00Z"),
    ("D:20200207103000", "2020-02-07T10:30:00"),
    ("D:2020", "2020-01-01"),
    ("hier", None),
    (None, None),
])
def test_pdf_dates_keep_their_offset(value: str | None, expected: str | None) -> None:
    assert iso_from_pdf(value) == expected


def test_shown_as_written_in_french() -> None:
    moment = parse_iso("2020-02-09T11:30:00+01:00")
    assert french_date(moment) == "09/02/2020 11:30"
    assert french_date(moment, time=False) == "09/02/2020"
    assert french_date(parse_iso("2020-02-09")) == "09/02/2020"  # no time of day
    assert french_date(None) == ""
    assert parse_french_date(french_date(moment)) == datetime(2020, 2, 9, 11, 30)
    assert parse_french_date(" 9/2/2020 ") == datetime(2020, 2, 9)
    assert parse_french_date("31/02/2020") is None


def test_the_model_holds_an_aware_date_and_keeps_it_out_of_the_json() -> None:
    result = FileResult(path="a.pdf", name="a.pdf", sha256=None, status=Status.OK,
                        respondent=None, answers=(), document_date="2020-02-07T10:30:00+01:00")
    assert result.document_date == datetime(2020, 2, 7, 9, 30, tzinfo=UTC)
    naive = FileResult(path="b.docx", name="b.docx", sha256=None, status=Status.OK,
                       respondent=None, answers=(), document_date=datetime(2020, 2, 7, 10, 30))
    assert naive.document_date is not None and naive.document_date.tzinfo is not None
    assert "document_date" not in result.model_dump_json()
