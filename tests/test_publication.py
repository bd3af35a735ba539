"""`cuf-extract publication`: from the campaign workbook, as the staff left it, to the
published answers in Word and HTML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from cuf_extract.cli import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from cuf_extract.publication import (
    DEFAULT_PUBLISHER,
    DEFAULT_TITLE,
    NO_ANSWER,
    NOT_REPLIED_HEADING,
    ListBlock,
    ListItem,
    Paragraph,
    build_publication,
    french_long_date,
    is_exclusion,
    is_proofread,
    parse_answer,
    proposed_case,
    publish,
    sort_key,
    synthesis_header,
)
from cuf_extract.publication_model import question_heading
from cuf_extract.questionnaire import load_questionnaire
from tests.conftest import SOFFICE, run_cli, type_in_sheet
from tests.fixtures.builder import questionnaire_doc, text_p
from tests.fixtures.variants import BY_NAME

QUESTIONNAIRE = load_questionnaire()
QUESTIONS = {q.id: q.text for q in QUESTIONNAIRE.questions}
DOCX = "reponses-publication.docx"
HTML = "reponses-publication.html"


def reply(party: str, modified: str) -> bytes:
    """A reply whose answers name the party, last saved at `modified`."""
    answers = {q: [text_p(f"Réponse de {party} à {q}.")] for q in QUESTIONS}
    return questionnaire_doc(answers, core={"modified": modified})


def edit_rows(workbook: Path, edits: dict[str, dict[str, str | None]]) -> None:
    """Type into the « Réponses » sheet as staff do: `edits[file name][column title]`."""
    type_in_sheet(workbook, "Réponses", edits, key=lambda value: Path(str(value)).name)


def styled_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph of a .docx."""
    document = docx.Document(str(path))
    return [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]


def sections(paragraphs: list[tuple[str, str]]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Heading 1 text → Heading 2 text → the paragraphs under it."""
    found: dict[str, dict[str, list[tuple[str, str]]]] = {}
    h1: dict[str, list[tuple[str, str]]] | None = None
    body: list[tuple[str, str]] | None = None
    for style, text in paragraphs:
        if style == "Heading 1":
            h1 = found.setdefault(text, {})
            body = None
        elif style == "Heading 2" and h1 is not None:
            body = h1.setdefault(text, [])
        elif body is not None:
            body.append((style, text))
    return found


def num_ids(path: Path) -> list[tuple[str, str | None]]:
    """(style, numId) of each list paragraph, in order."""
    document = docx.Document(str(path))
    out = []
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith("List"):
            ids = paragraph._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")
            out.append((style, str(ids[0]) if ids else None))
    return out


def start_of(path: Path, num_id: str) -> int:
    """The startOverride of a numbering instance."""
    numbering = docx.Document(str(path)).part.numbering_part.element
    values = numbering.xpath(
        f"./w:num[@w:numId='{num_id}']/w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val")
    assert values, f"numId {num_id} has no startOverride"
    return int(values[0])


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.nav_links: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self._in_nav = False
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "nav":
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self.nav_links.append(str(attributes.get("href")))
        elif tag in ("h1", "h2", "h3"):
            self._heading = tag
            self.headings.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False
        elif tag in ("h1", "h2", "h3"):
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def parse_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


# --------------------------------------------------------------------------- the campaign


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    """A campaign folder after extraction, with the workbook edited as staff would."""
    replies = tmp_path / "replies"
    replies.mkdir()
    for name in ("answers_below_bullet", "nested_and_decimal_lists", "track_changes",
                 "letterhead_signature_header"):
        (replies / f"{name}.docx").write_bytes(BY_NAME[name].build())
    (replies / "alpha-janvier.docx").write_bytes(reply("Alpha (janvier)", "2020-01-20T09:00:00Z"))
    (replies / "alpha-fevrier.docx").write_bytes(reply("Alpha (février)", "2020-02-09T09:00:00Z"))
    # The January file was copied last: the document date, not the file's, decides.
    os.utime(replies / "alpha-fevrier.docx", (1_580_000_000, 1_580_000_000))
    (replies / "exclu.docx").write_bytes(reply("Exclu", "2020-02-03T09:00:00Z"))
    (replies / "illisible.docx").write_bytes(b"pas un document Word")  # an error row
    code, _, _ = run_cli("replies", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    edit_rows(tmp_path / "reponses.xlsx", {
        "answers_below_bullet.docx": {"Organisation (corrigée)": "Parti des Communes"},
        "nested_and_decimal_lists.docx": {"Organisation (corrigée)": "Écologie solidaire"},
        "track_changes.docx": {"Organisation (corrigée)": "europe en commun",
                               "Statut de suivi": "relancé le 12/02"},
        "exclu.docx": {"Organisation (corrigée)": "Parti exclu",
                                     "Statut de suivi": "À EXCLURE (doublon papier)"},
        # The same organisation twice, spelled differently: the later reply wins.
        "alpha-janvier.docx": {"Organisation (corrigée)": "Alliance Alpha"},
        "alpha-fevrier.docx": {"Organisation (corrigée)": "ALLIANCE  ALPHA"},
        "illisible.docx": {"Organisation (corrigée)": "Parti illisible"},
    })
    yield tmp_path


EXPECTED_ORDER = ["ALLIANCE ALPHA", "Écologie solidaire", "europe en commun",
                  "Parti des Communes", "Union des Territoires Solidaires"]
PUBLISHED_FROM = {
    "ALLIANCE ALPHA": None,  # answers checked separately
    "Écologie solidaire": "nested_and_decimal_lists",
    "europe en commun": "track_changes",
    "Parti des Communes": "answers_below_bullet",
    "Union des Territoires Solidaires": "letterhead_signature_header",
}


def _plain(answer: str) -> list[str]:
    """An extracted answer's lines as published: list markers dropped, spaces collapsed."""
    lines = []
    for line in answer.splitlines():
        line = re.sub(r"^\s*(?:-|\d+\.)\s+", "", line).strip()
        if line:
            lines.append(" ".join(line.split()))
    return lines


def test_publication_from_the_edited_workbook(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli("publication", cwd=campaign, monkeypatch=monkeypatch,
                             capsys=capsys)
    assert code == EXIT_FLAGGED, err  # the error row is left out and flagged
    assert err == ""
    paragraphs = styled_paragraphs(campaign / DOCX)
    styles = [style for style, _ in paragraphs]
    # The title flows as one line (the form's line break is gone), with no-break spaces.
    assert paragraphs[0] == ("Title", " ".join(QUESTIONNAIRE.title.split())
                             .replace(" :", "\u00a0:").replace(" ?", "\u00a0?"))
    assert paragraphs[1] == (
        "Subtitle", f"Réponses publiées par Cités Unies France le {french_long_date(date.today())}")
    assert paragraphs[2][1] == "5\u00a0organisations ont répondu\u00a0:"
    assert paragraphs[3:8] == [("List Bullet", name) for name in EXPECTED_ORDER]
    # Question by question, in the questionnaire's order, then each organisation.
    assert [text for style, text in paragraphs if style == "Heading 1"] == [
        question_heading(q) for q in QUESTIONS.values()]
    assert styles.count("Heading 2") == 5 * len(EXPECTED_ORDER)
    by_question = sections(paragraphs)
    for qid, question_text in QUESTIONS.items():
        question = question_heading(question_text)
        assert list(by_question[question]) == EXPECTED_ORDER
        for organisation, variant in PUBLISHED_FROM.items():
            published = by_question[question][organisation]
            if variant is None:
                assert published == [("Normal", f"Réponse de Alpha (février) à {qid}.")]
                continue
            expected = BY_NAME[variant].answers[qid]
            if expected is None:
                assert published == [("Normal", NO_ANSWER)]
            else:
                assert [text for _, text in published] == _plain(expected)
    # Lists are real Word lists, paragraphs real paragraphs.
    q1 = by_question[question_heading(QUESTIONS["Q1"])]["Écologie solidaire"]
    assert [style for style, _ in q1] == ["Normal", "List Bullet", "List Bullet 2",
                                          "List Bullet 3", "List Bullet 2", "List Bullet"]
    q2 = by_question[question_heading(QUESTIONS["Q2"])]["Écologie solidaire"]
    assert [style for style, _ in q2] == ["Normal", "List Number", "List Number", "Normal",
                                          "List Number"]
    # Excluded, older and error rows are absent, named in the summary with the reason.
    text = "\n".join(t for _, t in paragraphs)
    for absent in ("Parti exclu", "Parti illisible", "Alpha (janvier)", "Alliance Alpha"):
        assert absent not in text
    assert "Réponse de Exclu" not in text
    assert "Non publiées (3)" in out
    assert "exclue dans « Statut de suivi »" in out and "À EXCLURE" in out
    assert "réponse plus ancienne de la même organisation" in out
    assert "en erreur à l’extraction" in out
    # The staff's name in capitals is published as typed, and listed to check.
    assert "« ALLIANCE ALPHA » est écrit en capitales dans « Organisation (corrigée) »" in (
        " ".join(out.replace("\u00a0", " ").split()))
    assert "Écrit : reponses-publication.docx" in out
    assert "Écrit : reponses-publication.html" in out


def test_numbered_lists_restart_for_each_answer(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    run_cli("publication", cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    numbered = [num for style, num in num_ids(campaign / DOCX) if style == "List Number"]
    # Q2: "1. 2." then a paragraph then "3."; Q3: "1. 2.".
    assert len(numbered) == 5 and None not in numbered
    first, second, third = numbered[0], numbered[2], numbered[3]
    assert numbered[1] == first and numbered[4] == third
    assert len({first, second, third}) == 3  # one numbering instance per list
    assert start_of(campaign / DOCX, first) == 1
    assert start_of(campaign / DOCX, second) == 3  # the respondent's own "3." goes on
    assert start_of(campaign / DOCX, third) == 1  # the next answer's list restarts
    style_num = docx.Document(str(campaign / DOCX)).styles["List Number"].element.xpath(
        "./w:pPr/w:numPr/w:numId/@w:val")[0]
    assert style_num not in numbered  # not the style's shared, continuing instance


def test_footer_page_numbers_and_properties(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    # The extraction stores the questionnaire's title and owner in the workbook.
    properties = openpyxl.load_workbook(campaign / "reponses.xlsx", read_only=True).properties
    assert (properties.title, properties.creator) == (QUESTIONNAIRE.title, QUESTIONNAIRE.owner[0])
    run_cli("publication", cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    document = docx.Document(str(campaign / DOCX))
    footer = document.sections[0].footer._element
    instructions = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert [f.get(qn("w:fldCharType")) for f in footer.iter(qn("w:fldChar"))] == [
        "begin", "separate", "end"] * 2
    core = document.core_properties
    assert core.title == " ".join(QUESTIONNAIRE.title.split())
    assert core.author == "Cités Unies France" == QUESTIONNAIRE.owner[0]
    assert core.language == "fr-FR"
    app = next(p for p in document.part.package.parts if p.partname == "/docProps/app.xml")
    assert b"<Company>Cit\xc3\xa9s Unies France</Company>" in app.blob


def test_html_is_self_contained_with_a_table_of_contents(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    run_cli("publication", cwd=campaign, monkeypatch=monkeypatch, capsys=capsys)
    page = parse_page(campaign / HTML)
    assert page.nav_links == [f"#{qid}" for qid in QUESTIONS]
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert set(QUESTIONS) <= ids
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "img", "iframe")
        assert "src" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#")
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) \
        in page.tags
    assert [text for tag, text in page.headings if tag == "h2"] == [
        "Sommaire", *map(question_heading, QUESTIONS.values())]
    assert [text for tag, text in page.headings if tag == "h3"] == EXPECTED_ORDER * 5
    html = (campaign / HTML).read_text(encoding="utf-8")
    assert re.search(r'<ol start="3">\s*<li>une commission extra-municipale\.', html)
    assert re.search(r"<ul>\s*<li>des jumelages actifs ;\s*<ul>\s*<li>avec l’Europe ;", html)
    assert "Parti exclu" not in html and "Alpha (janvier)" not in html


def test_the_bundled_examples_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples" / "replies"
    shutil.copytree(examples, tmp_path / "reponses")
    run_cli("reponses/", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    code, out, _ = run_cli("publication", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    # The letter's answers are not in the form: published whole in its own section, and
    # flagged; never « Pas de réponse » under its name.
    assert code == EXIT_FLAGGED and "a répondu en format libre" in out
    paragraphs = styled_paragraphs(tmp_path / DOCX)
    replied = 6  # five Word replies (the letter among them) and one PDF
    assert paragraphs[2][1] == f"{replied}\u00a0organisations ont répondu\u00a0:"
    organisations = [text for _, text in paragraphs[3:3 + replied]]
    assert {style for style, _ in paragraphs[3:3 + replied]} == {"List Bullet"}
    assert paragraphs[3 + replied][0] == "Heading 1"
    assert "Rassemblement des villes ouvertes" in organisations
    assert organisations == sorted(organisations, key=sort_key)
    letter = "Fédération progressiste"  # read in capitals from the letterhead
    assert letter in organisations and "FÉDÉRATION PROGRESSISTE" not in organisations
    by_question = [name for name in organisations if name != letter]
    headings2 = [t for s, t in paragraphs if s == "Heading 2"]
    assert headings2 == by_question * 5 + [letter]
    free = sections(paragraphs)["Réponses reçues en format libre"]
    assert list(free) == [letter]
    assert NO_ANSWER not in [t for _, t in free[letter]]
    assert len(free[letter]) >= 5  # the letter's paragraphs, in full
    assert "« FÉDÉRATION PROGRESSISTE » est écrit en capitales" in " ".join(
        out.replace("\u00a0", " ").split())
    assert (tmp_path / HTML).is_file()


def test_outputs_chosen_with_options_and_exit_zero_when_all_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "Gamma.docx").write_bytes(reply("Gamma", "2020-02-01T09:00:00Z"))
    run_cli("replies", "-o", "campagne.2020.xlsx", cwd=tmp_path, monkeypatch=monkeypatch,
            capsys=capsys)
    code, out, err = run_cli("publication", "campagne.2020.xlsx", "-o", "site/publi.docx",
                             "--html", "site/publi.html", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert (tmp_path / "site").exists() is False and code == EXIT_USAGE
    assert "n’existe pas" in err
    (tmp_path / "site").mkdir()
    code, out, err = run_cli("publication", "campagne.2020.xlsx", "-o", "site/publi.docx",
                             "--html", "site/publi.html", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    # The name was read from the file name: published, but to be checked.
    assert code == EXIT_FLAGGED and "« Gamma » : nom tiré du nom du fichier" in out
    headings = [t for s, t in styled_paragraphs(tmp_path / "site/publi.docx") if s == "Heading 2"]
    assert headings == ["Gamma"] * 5
    edit_rows(tmp_path / "campagne.2020.xlsx", {"Gamma.docx": {"Organisation (corrigée)":
                                                              "Parti Gamma"}})
    code, out, err = run_cli("publication", "campagne.2020.xlsx", "-o", "site/publi.docx",
                             "--html", "site/publi.html", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, out + err
    assert (tmp_path / "site/publi.docx").is_file() and (tmp_path / "site/publi.html").is_file()
    assert not (tmp_path / "campagne.2020-publication.docx").exists()
    headings = [t for s, t in styled_paragraphs(tmp_path / "site/publi.docx") if s == "Heading 2"]
    assert headings == ["Parti Gamma"] * 5
    # Defaults: beside the workbook, named after it.
    code, _, _ = run_cli("publication", "campagne.2020.xlsx", cwd=tmp_path,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK
    assert (tmp_path / "campagne.2020-publication.docx").is_file()
    assert (tmp_path / "campagne.2020-publication.html").is_file()


def test_a_row_without_organisation_is_published_under_its_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    # Named as CUF sent it: the file name is the questionnaire's owner, not a respondent.
    (replies / "questionnaire-CUF.docx").write_bytes(reply("Inconnu", "2020-02-01T09:00:00Z"))
    run_cli("replies", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    code, out, _ = run_cli("publication", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    headings = [t for s, t in styled_paragraphs(tmp_path / DOCX) if s == "Heading 2"]
    assert headings == ["questionnaire-CUF.docx"] * 5
    assert "À vérifier" in out and "publiée sous le nom du fichier" in out


def test_most_recent_reply_by_file_date_when_document_dates_tie(tmp_path: Path) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    same = "2020-02-01T09:00:00Z"
    for name in ("b-ancienne", "a-nouvelle", "c-sans-date"):
        (replies / f"{name}.docx").write_bytes(reply(name, same))
    os.utime(replies / "b-ancienne.docx", (1_580_000_000, 1_580_000_000))
    os.utime(replies / "a-nouvelle.docx", (1_590_000_000, 1_590_000_000))
    _extract(tmp_path)
    edit_rows(tmp_path / "reponses.xlsx", {
        f"{n}.docx": {"Organisation (corrigée)": "Parti Delta"}
        for n in ("b-ancienne", "a-nouvelle", "c-sans-date")})
    (replies / "c-sans-date.docx").unlink()  # gone from the folder: no file date
    publication = build_publication(tmp_path / "reponses.xlsx", today=date(2026, 12, 2))
    assert [e.file for e in publication.entries] == ["replies/a-nouvelle.docx"]
    assert {item.file for item in publication.left_out} == {
        "replies/b-ancienne.docx", "replies/c-sans-date.docx"}
    assert publication.flags == ()

    # Nothing tells them apart any more: one is published, and the staff are told.
    os.utime(replies / "b-ancienne.docx", (1_590_000_000, 1_590_000_000))
    publication = build_publication(tmp_path / "reponses.xlsx", today=date(2026, 12, 2))
    assert len(publication.entries) == 1
    assert [f.message for f in publication.flags] == [
        "2 réponses de « Parti Delta » dont les dates ne disent pas laquelle est la plus "
        f"récente : « {publication.entries[0].file} » est publiée ; si ce n’est pas la "
        "bonne, écrivez « à exclure » dans « Statut de suivi » des autres."]


def _extract(folder: Path) -> None:
    from cuf_extract.pipeline import InputFile, extract_files
    from cuf_extract.writers.xlsx import write_xlsx

    files = sorted((folder / "replies").iterdir())
    run = extract_files([InputFile(path=f, display=f"replies/{f.name}") for f in files],
                        QUESTIONNAIRE)
    write_xlsx(run, folder / "reponses.xlsx", inputs_base=folder, questionnaire=QUESTIONNAIRE)


def test_not_replied_section_ends_the_publication(tmp_path: Path) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "gamma.docx").write_bytes(reply("Gamma", "2020-02-01T09:00:00Z"))
    _extract(tmp_path)
    result = publish(tmp_path / "reponses.xlsx", today=date(2026, 12, 2),
                     not_replied=["Zèbre solidaire", "  ", "écologistes unis", "Avenir"])
    assert result.publication.not_replied == ("Avenir", "écologistes unis", "Zèbre solidaire")
    paragraphs = styled_paragraphs(tmp_path / DOCX)
    assert paragraphs[-4:] == [("Heading 1", NOT_REPLIED_HEADING),
                               ("List Bullet", "Avenir"), ("List Bullet", "écologistes unis"),
                               ("List Bullet", "Zèbre solidaire")]
    page = parse_page(tmp_path / HTML)
    assert page.nav_links[-1] == "#sans-reponse"
    assert page.headings[-1] == ("h2", NOT_REPLIED_HEADING)
    assert "<h2>Organisations sollicitées n’ayant pas répondu</h2>" in (
        tmp_path / HTML).read_text(encoding="utf-8")  # not « n&#x27;ayant »
    # Without names, no such section.
    publish(tmp_path / "reponses.xlsx", today=date(2026, 12, 2))
    assert NOT_REPLIED_HEADING not in [t for _, t in styled_paragraphs(tmp_path / DOCX)]
    assert NOT_REPLIED_HEADING not in (tmp_path / HTML).read_text(encoding="utf-8")


def test_a_publication_open_in_word_is_written_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "Gamma.docx").write_bytes(reply("Gamma", "2020-02-01T09:00:00Z"))
    run_cli("replies", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    (tmp_path / DOCX).write_bytes(b"la version ouverte dans Word")
    (tmp_path / f"~${DOCX}").write_bytes(b"owner file")
    code, out, err = run_cli("publication", cwd=tmp_path, monkeypatch=monkeypatch,
                             capsys=capsys)
    assert code == EXIT_FLAGGED
    assert (tmp_path / DOCX).read_bytes() == b"la version ouverte dans Word"
    dated = [p for p in tmp_path.glob("reponses-publication-*.docx")]
    assert len(dated) == 1
    assert f"« {DOCX} » est ouvert dans un autre programme (Word ?)" in err
    assert f"Écrit : {dated[0].name}" in out
    assert [t for s, t in styled_paragraphs(dated[0]) if s == "Heading 2"] == ["Gamma"] * 5
    assert (tmp_path / HTML).is_file()  # the other output is not locked: written in place


@pytest.mark.parametrize(("setup", "message"), [
    (None, "le tableur « reponses.xlsx » n’existe pas"),
    (b"pas un tableur", "n’est pas un tableur de cuf-extract"),
    ("other", "pas de feuille « Réponses »"),
])
def test_missing_or_foreign_workbook_is_a_usage_error(
    setup: bytes | str | None, message: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    if isinstance(setup, bytes):
        (tmp_path / "reponses.xlsx").write_bytes(setup)
    elif setup == "other":
        book = openpyxl.Workbook()
        book.active.title = "Budget"
        book.save(tmp_path / "reponses.xlsx")
    code, out, err = run_cli("publication", cwd=tmp_path, monkeypatch=monkeypatch,
                             capsys=capsys)
    assert code == EXIT_USAGE
    assert err.startswith("Erreur : ") and message in err
    assert out == "" and not (tmp_path / DOCX).exists()


def test_a_deleted_answer_column_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "gamma.docx").write_bytes(reply("Gamma", "2020-02-01T09:00:00Z"))
    run_cli("replies", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    book = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    sheet = book["Réponses"]
    q3 = next(c.column for c in sheet[1] if c.value == "Q3")
    sheet.delete_cols(q3)
    book.save(tmp_path / "reponses.xlsx")
    code, _, err = run_cli("publication", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE and "n’a pas de colonne « Q3 »" in err


def test_columns_are_found_by_title_and_any_questionnaire_works(tmp_path: Path) -> None:
    """A workbook of another questionnaire, columns reordered by the staff, an extra
    « Position Q1 » column beside the answer, no title stored: the default title."""
    book = openpyxl.Workbook()
    answers = book.active
    assert answers is not None
    answers.title = "Réponses"
    answers.append(["Notes", "B1", "Position B1", "Statut", "Organisation", "Fichier",
                    "Organisation (corrigée)", "A1"])
    answers.append(["", "Bleu", "pour", "OK", "Parti Vert", "v.docx", "", "Oui"])
    answers.append(["", "Rouge", "contre", "Avertissement", "parti rouge", "r.docx",
                    "Le Parti rouge", None])
    answers.append(["", None, None, "Avertissement", "Parti muet", "lettre.docx", None, " "])
    questions = book.create_sheet("Questions")
    questions.append(["Question", "Texte"])
    questions.append(["A1", "Première question ?"])
    questions.append(["B1", "Seconde question ?"])
    book.save(tmp_path / "autre.xlsx")
    publication = build_publication(tmp_path / "autre.xlsx", today=date(2026, 3, 1))
    assert publication.title == DEFAULT_TITLE and publication.publisher == DEFAULT_PUBLISHER
    assert [q.id for q in publication.questions] == ["A1", "B1"]
    assert publication.organisations == ("Le Parti rouge", "Parti muet", "Parti Vert")
    red, silent, green = publication.entries
    assert not silent.free_format  # no text at all: nothing to publish in its place
    assert red.answers == {"A1": (), "B1": (Paragraph("Rouge"),)}
    assert green.answers == {"A1": (Paragraph("Oui"),), "B1": (Paragraph("Bleu"),)}
    assert publication.left_out == ()
    # A row without any text: published empty, and the staff are told.
    assert silent.answers == {"A1": (), "B1": ()}
    assert [(f.file, f.message.split("\u00a0: ")[0]) for f in publication.flags] == [
        ("lettre.docx", "«\u00a0Parti muet\u00a0» n’a répondu à aucune question dans le "
                        "tableur, et n’a écrit aucun autre texte")]


def handmade_workbook(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A workbook shaped like the extraction's, for the questions A1 and B1."""
    book = openpyxl.Workbook()
    answers = book.active
    assert answers is not None
    answers.title = "Réponses"
    for values in [header, *rows]:
        answers.append(values)
    questions = book.create_sheet("Questions")
    for values in (["Question", "Texte"], ["A1", "Première question ?"],
                   ["B1", "Seconde question ?"]):
        questions.append(values)
    book.save(path)
    return path


def test_rows_left_out_or_flagged(tmp_path: Path) -> None:
    from cuf_extract.layout import TRUNCATION_MARKER

    header = ["Fichier", "Organisation", "Statut", "Statut de suivi", "A1", "B1"]
    workbook = handmade_workbook(tmp_path / "c.xlsx", header, [
        ["erreur.docx", "Parti E", "Erreur", "à exclure : illisible", "", ""],
        ["parti.docx", "Parti A", "absent", "", "Ancienne réponse", ""],
        ["~$parti.docx", "", "Ignoré", "", "", ""],
        ["long.docx", "Parti L", "OK", "", "Début" + TRUNCATION_MARKER, "Oui"],
        ["abime.docx", "Parti F", "Avertissement", "", "Un caractère \ufffd abîmé", "Non"],
        ["vide.docx", "Parti V", None, "", "Oui", "Non"],
    ])
    publication = build_publication(workbook, today=date(2026, 12, 2))
    assert publication.organisations == ("Parti F", "Parti L")
    assert [(item.file, item.reason) for item in publication.left_out] == [
        ("erreur.docx", "exclue dans « Statut de suivi » (« à exclure : illisible »)"),
        ("parti.docx", "fichier absent du dossier lors de la dernière extraction"),
        ("vide.docx", "statut vide"),
    ]
    assert [(flag.file, flag.message.split(" : ")[0]) for flag in publication.flags] == [
        ("vide.docx", "non publiée"),
        ("long.docx", "« Parti L », A1"),
        ("abime.docx", "« Parti F », A1"),
    ]
    assert "coupée dans le tableur" in publication.flags[1].message
    assert "caractères illisibles" in publication.flags[2].message

    # Open in Excel: what is not saved yet is not seen, and the staff are told.
    (tmp_path / "~$c.xlsx").write_bytes(b"owner")
    flags = build_publication(workbook, today=date(2026, 12, 2)).flags
    assert flags[0].file == "c.xlsx" and "ouvert dans Excel" in flags[0].message


def test_title_and_publisher_are_read_from_the_workbook(tmp_path: Path) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "gamma.docx").write_bytes(reply("Gamma", "2020-02-01T09:00:00Z"))
    _extract(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    assert book.properties.title == QUESTIONNAIRE.title
    book.properties.title = "Municipales 2026\nLes réponses des partis"
    book.properties.creator = "Réseau des villes"
    book.save(tmp_path / "reponses.xlsx")
    publish(tmp_path / "reponses.xlsx", today=date(2026, 12, 2))
    paragraphs = styled_paragraphs(tmp_path / DOCX)
    assert paragraphs[0] == ("Title", "Municipales 2026 Les réponses des partis")
    assert paragraphs[1][1] == "Réponses publiées par Réseau des villes le 2 décembre 2026"
    assert docx.Document(str(tmp_path / DOCX)).core_properties.author == "Réseau des villes"
    assert "<h1>Municipales 2026 Les réponses des partis</h1>" in (
        tmp_path / HTML).read_text(encoding="utf-8")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_publication(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Rendered by LibreOffice, the publication is A4 and the positions table's titles are
    whole words.

    The check reads the words LibreOffice laid out (pdftotext's word boxes), not the
    column widths the writer chose: those come from an estimate of text widths, and
    checking the estimate against itself would prove nothing. A title broken inside a
    word shows as two word boxes (« Questio », « n »), a title broken between words as
    boxes on two lines: both are looked for.
    """
    import pypdfium2

    edit_rows(campaign / "reponses.xlsx", {"answers_below_bullet.docx": {"Position Q1": "oui"}})
    run_cli("publication", "--synthese", cwd=campaign, monkeypatch=monkeypatch,
            capsys=capsys)
    assert docx.Document(str(campaign / DOCX)).tables  # the positions table is there
    out = campaign / "pdf"
    done = subprocess.run(
        [str(SOFFICE), "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out),
         f"-env:UserInstallation={(campaign / 'lo-profile').as_uri()}", str(campaign / DOCX)],
        capture_output=True, timeout=180, check=False,
    )
    pdf = out / "reponses-publication.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        sizes = {tuple(round(v * 25.4 / 72) for v in page.get_size()) for page in document}
    finally:
        document.close()
    assert sizes == {(210, 297)}  # A4, every page

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "2", str(pdf), "-"],
                           capture_output=True, text=True, check=True, timeout=60).stdout
    page = next(p for p in boxes.split("<page ") if ">Question<" in p)
    # (text, left, top, right) of each word, in whatever order the PDF draws them.
    words = [(m.group(4), float(m.group(1)), float(m.group(2)), float(m.group(3)))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                  r'yMax="[\d.]+">([^<]*)</word>', page)]
    left, top = next((x, y) for text, x, y, _ in words if text == "Question")
    first_row = next(y for text, x, y, _ in words if text == "Q1" and abs(x - left) < 1)
    title = sorted((w for w in words if top - 1 <= w[2] < first_row - 1 and w[1] >= left - 1),
                   key=lambda w: (round(w[2]), w[1]))
    # Every title word whole (no « Questio », « n »); a title may wrap between its words.
    assert sorted(w[0] for w in title) == sorted(
        word for text in synthesis_header() for word in text.split())
    # Counts aligned right, under their titles' right edge.
    counts = sorted((w for w in words if abs(w[2] - first_row) < 1 and w[1] > left + 20),
                    key=lambda w: w[1])
    assert len(counts) == 6 and all(w[0].isdigit() for w in counts)
    # A right-aligned title line ends at its column's right edge, as its count does.
    title_edges = {round(w[3]) for w in title}
    assert all(round(w[3]) in title_edges for w in counts)


# --------------------------------------------------------------------------- the pieces


@pytest.mark.parametrize(("text", "blocks"), [
    (None, ()),
    ("", ()),
    ("  Oui,\t  sans   réserve.  \n\n\nDeuxième\u00a0: paragraphe.",
     (Paragraph("Oui, sans réserve."), Paragraph("Deuxième\u00a0: paragraphe."))),
    ("Nous :\n- un ;\n- deux.", (Paragraph("Nous :"),
                                 ListBlock(False, (ListItem("un ;"), ListItem("deux."))))),
    ("1. un\n  - a\n  - b\n2. deux", (ListBlock(True, (
        ListItem("un", (ListBlock(False, (ListItem("a"), ListItem("b"))),)),
        ListItem("deux"))),)),
    ("- puce\n1) numéro", (ListBlock(False, (ListItem("puce"),)),
                           ListBlock(True, (ListItem("numéro"),)))),
    ("c) troisième\nd) quatrième", (ListBlock(True, (ListItem("troisième"),
                                                      ListItem("quatrième")), start=3),)),
    ("  - commence en retrait\n- puis au bord", (
        ListBlock(False, (ListItem("commence en retrait"),)),
        ListBlock(False, (ListItem("puis au bord"),)))),
    # Not lists: a title, a year, a dash without text.
    ("M. le maire.\n2020. Une année.\n-", (Paragraph("M. le maire."),
                                           Paragraph("2020. Une année."), Paragraph("-"))),
])
def test_parse_answer(text: str | None, blocks: tuple[object, ...]) -> None:
    assert parse_answer(text) == blocks


@pytest.mark.parametrize(("follow_up", "excluded"), [
    ("à exclure", True), ("A EXCLURE", True), ("exclu", True), ("Exclue", True),
    ("exclus", True), ("EXCLUES", True), ("exclure", True), ("Ne pas publier !", True),
    ("ne-pas-publier", True), ("non publiable", True), ("relancé", False),
    ("ne pas exclure", False), ("non exclu", False), ("exclusivement par courriel", False),
    ("", False), ("publier", False),
])
def test_exclusion_words(follow_up: str, excluded: bool) -> None:
    assert is_exclusion(follow_up) is excluded


def test_french_sorting() -> None:
    names = ["Zèbre", "les Verts", "Écologie", "europe", "Eau vive", "Le Parti", "ecologie",
             "Œuvre commune", "Alliance"]
    assert sorted(names, key=sort_key) == [
        "Alliance", "Eau vive", "ecologie", "Écologie", "europe", "Le Parti", "les Verts",
        "Œuvre commune", "Zèbre"]


def test_french_long_date() -> None:
    assert french_long_date(date(2026, 12, 2)) == "2 décembre 2026"
    assert french_long_date(date(2026, 8, 1)) == "1er août 2026"
    assert french_long_date(date(2026, 2, 14)) == "14 février 2026"


@pytest.mark.parametrize(("follow_up", "proofread"), [
    ("relu", True), ("Relue le 12/02 par CL", True), ("vérifié", True),
    ("relecture faite", True), ("", False), ("à relire", False), ("non relu", False),
    ("pas vérifié", False), ("à vérifier", False), ("relancé le 12/02", False),
])
def test_proofread_words(follow_up: str, proofread: bool) -> None:
    assert is_proofread(follow_up) is proofread


def test_replies_read_by_ocr_stay_to_check_until_proofread(tmp_path: Path) -> None:
    header = ["Fichier", "Organisation", "Statut", "Statut de suivi", "Problèmes", "A1", "B1"]
    ocr = "lu par reconnaissance de caractères\nA1 : lu par reconnaissance de caractères"
    workbook = handmade_workbook(tmp_path / "c.xlsx", header, [
        ["scan.pdf", "Parti S", "Avertissement", "", ocr, "Oui", "Non"],
        ["photo.jpg", "Parti P", "Avertissement", "relu", ocr, "Oui", "Non"],
        ["word.docx", "Parti W", "OK", "", "", "Oui", "Non"],
    ])
    publication = build_publication(workbook, today=date(2026, 12, 2))
    assert publication.organisations == ("Parti P", "Parti S", "Parti W")  # all published
    assert [flag.file for flag in publication.flags] == ["scan.pdf"]
    assert "écrivez « relu » dans « Statut de suivi »" in publication.flags[0].message.replace(
        "\xa0", " ")


@pytest.mark.parametrize(("name", "proposal"), [
    ("FÉDÉRATION PROGRESSISTE", "Fédération progressiste"),
    ("PARTI DES COMMUNES RURALES", "Parti des communes rurales"),
    ("LA FRANCE INSOUMISE - LFI", "La France insoumise - LFI"),
    ("LES RÉPUBLICAINS", "Les Républicains"),
    ("L'UNION POUR L'EUROPE", "L'Union pour l'Europe"),
    ("EUROPE ÉCOLOGIE LES VERTS (EELV)", "Europe écologie les verts (EELV)"),
    ("UNION DES DÉMOCRATES ET INDÉPENDANTS UDI", "Union des démocrates et indépendants UDI"),
    # Acronyms and names already cased are left alone.
    ("EELV", None), ("PCF", None), ("LR", None), ("PS", None), ("CGT", None),
    ("Parti socialiste", None), ("Fédération PROGRESSISTE", None), ("", None),
])
def test_names_in_capitals_get_a_proposal(name: str, proposal: str | None) -> None:
    assert proposed_case(name) == proposal


def test_capitals_and_free_format_replies(tmp_path: Path) -> None:
    """A name read in capitals is published re-cased (the workbook keeps what was read)
    and listed to check; a reply in « format libre » is published whole in its own
    section, unless the staff excluded it or typed its answers in the question columns."""
    header = ["Fichier", "Organisation", "Organisation (corrigée)", "Statut",
              "Statut de suivi", "A1", "B1", "Texte hors réponses"]
    workbook = handmade_workbook(tmp_path / "c.xlsx", header, [
        ["lettre.docx", "FÉDÉRATION PROGRESSISTE", "", "Avertissement", "", "", "",
         "Madame, Monsieur,\n\nNous soutenons l'action internationale.\n- jumelages\n"
         "- coopération"],
        ["exclue.docx", "Parti écarté", "", "Avertissement", "à exclure", "", "",
         "Une lettre à ne pas publier."],
        ["recopiee.docx", "Parti recopié", "", "Avertissement", "", "Oui, recopié.", "",
         "La lettre d'origine."],
        ["form.docx", "PARTI DES COMMUNES RURALES", "", "OK", "", "Oui.", "Non.", ""],
    ])
    publication = build_publication(workbook, today=date(2026, 3, 1))
    by_name = {entry.organisation: entry for entry in publication.entries}
    assert list(by_name) == ["Fédération progressiste", "Parti des communes rurales",
                             "Parti recopié"]
    letter = by_name["Fédération progressiste"]
    assert letter.free_format and letter.read_as == "FÉDÉRATION PROGRESSISTE"
    assert letter.free_text == (
        Paragraph("Madame, Monsieur,"), Paragraph("Nous soutenons l'action internationale."),
        ListBlock(False, (ListItem("jumelages"), ListItem("coopération"))))
    assert [e.organisation for e in publication.by_question] == [
        "Parti des communes rurales", "Parti recopié"]
    assert [e.organisation for e in publication.free_format] == ["Fédération progressiste"]
    assert not by_name["Parti recopié"].free_format  # dispatched: read question by question
    assert [row.file for row in publication.left_out] == ["exclue.docx"]
    messages = " | ".join(" ".join(f.message.replace("\u00a0", " ").split())
                          for f in publication.flags)
    assert "« FÉDÉRATION PROGRESSISTE » est écrit en capitales" in messages
    assert "« PARTI DES COMMUNES RURALES » est écrit en capitales" in messages
    assert "« Fédération progressiste » a répondu en format libre" in messages
    # In the positions table, the letter is to read, not « sans réponse ».
    counted = build_publication(workbook, today=date(2026, 3, 1), synthesis=True,
                                force_synthesis=True).synthesis
    assert [(line.to_confirm, line.no_position) for line in counted] == [(3, 0), (2, 1)]

    publish(workbook, today=date(2026, 3, 1))
    paragraphs = styled_paragraphs(tmp_path / "c-publication.docx")
    found = sections(paragraphs)
    assert list(found["Réponses reçues en format libre"]) == ["Fédération progressiste"]
    assert [t for _, t in found["Réponses reçues en format libre"]["Fédération progressiste"]
            ][-3:] == ["Nous soutenons l'action internationale.", "jumelages", "coopération"]
    for question in ("Première question\u00a0?", "Seconde question\u00a0?"):
        assert list(found[question]) == ["Parti des communes rurales", "Parti recopié"]
    html = (tmp_path / "c-publication.html").read_text(encoding="utf-8")
    assert re.search(r'<section id="format-libre">\s*<h2>Réponses reçues en format libre</h2>',
                     html)
    assert html.count("<h3>Fédération progressiste</h3>") == 1
    assert "&#x27;" not in html  # apostrophes as typed, not escaped


def test_publication_page_is_a4_with_french_margins(tmp_path: Path) -> None:
    header = ["Fichier", "Organisation", "Statut", "A1", "B1"]
    workbook = handmade_workbook(tmp_path / "c.xlsx", header, [
        ["a.docx", "Parti A", "OK", "Oui.", "Non."]])
    publish(workbook, today=date(2026, 3, 1))
    section = docx.Document(str(tmp_path / "c-publication.docx")).sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    for margin in (section.left_margin, section.right_margin, section.top_margin,
                   section.bottom_margin):
        assert margin.cm == pytest.approx(2.5, abs=0.01)
