"""`cuf-extract publication --destinataires / --synthese`: the publication ends with the
organisations that were asked and have not replied, and can open with the positions
the staff confirmed."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from cuf_extract.cli import EXIT_FLAGGED
from cuf_extract.publication import NOT_REPLIED_HEADING, SYNTHESIS_HEADING
from tests.conftest import run_cli
from tests.test_publication import DOCX, HTML, campaign, edit_rows, styled_paragraphs

__all__ = ["campaign"]  # the fixture, shared with test_publication.py

RECIPIENTS = """# Sollicités
Parti des Communes
Écologie solidaire | ECOSOL
Parti illisible
Parti exclu
Les Absents Unis
Alliance Alfa
"""


def not_replied_section(path: Path) -> list[str] | None:
    paragraphs = styled_paragraphs(path)
    for index, (style, text) in enumerate(paragraphs):
        if style == "Heading 1" and text == NOT_REPLIED_HEADING:
            return [t for _, t in paragraphs[index + 1:]]
    return None


def test_recipients_who_have_not_replied_end_the_publication(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (campaign / "destinataires.txt").write_text(RECIPIENTS, encoding="utf-8")
    code, out, _ = run_cli("publication", "--destinataires", "destinataires.txt",
                           cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    # An excluded reply and a reply in error did come in: only the silent one is listed.
    # « Alliance Alfa » is only close to « ALLIANCE ALPHA »: flagged, never listed.
    assert not_replied_section(campaign / DOCX) == ["Les Absents Unis"]
    assert "Alliance Alfa" in out and "approximativement" in out
    html = (campaign / HTML).read_text(encoding="utf-8")
    assert "<li>Les Absents Unis</li>" in html

    run_cli("publication", "--destinataires", "destinataires.txt", "--sans-non-repondants",
            cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    assert not_replied_section(campaign / DOCX) is None


def test_the_workbook_recipients_sheet_is_the_default_list(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (campaign / "destinataires.txt").write_text(RECIPIENTS, encoding="utf-8")
    run_cli("replies", "--destinataires", "destinataires.txt", cwd=campaign,
            monkeypatch=monkeypatch, capsys=capsys)
    run_cli("publication", cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    section = not_replied_section(campaign / DOCX)
    assert section is not None and "Les Absents Unis" in section
    assert "Parti des Communes" not in section


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "synthesis") in attrs:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip()


def test_synthesis_counts_only_the_positions_staff_confirmed(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    edit_rows(campaign / "reponses.xlsx", {
        "answers_below_bullet.docx": {"Position Q1": "Oui"},
        "nested_and_decimal_lists.docx": {"Position Q1": "non"},
        "track_changes.docx": {"Position Q2": "nuance"},
        "exclu.docx": {"Position Q1": "oui"},  # excluded: never counted
    })
    run_cli("publication", "--synthese", cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    document = docx.Document(str(campaign / DOCX))
    headings = [p.text for p in document.paragraphs if p.style is not None
                and p.style.name == "Heading 1"]
    assert headings[0] == SYNTHESIS_HEADING  # before the first question
    table = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert table[0] == ["Question", "Oui", "Non", "Nuancé", "Non précisé", "À confirmer",
                        "Sans réponse"]
    by_question = {row[0]: [int(n) for n in row[1:]] for row in table[1:]}
    assert list(by_question) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    published = 5
    assert by_question["Q1"][:4] == [1, 1, 0, 0]
    assert by_question["Q2"][:4] == [0, 0, 1, 0]
    for counts in by_question.values():
        assert sum(counts) == published
    assert by_question["Q3"][:4] == [0, 0, 0, 0]  # automatic positions are « à confirmer »
    assert by_question["Q3"][4] > 0

    page = _Table()
    page.feed((campaign / HTML).read_text(encoding="utf-8"))
    assert page.rows[0][0] == "Question"
    assert [row[0] for row in page.rows[1:]] == list(by_question)
    assert [[int(n) for n in row[1:]] for row in page.rows[1:]] == list(by_question.values())

    run_cli("publication", cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    assert not docx.Document(str(campaign / DOCX)).tables  # only on request
