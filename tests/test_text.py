"""One notion of "the same text" and "the same organisation" for every command."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuf_extract.checks import cross_file_issues
from cuf_extract.locate import normalise as locate_normalise
from cuf_extract.models import Answer, FileResult, RespondentSource, Status
from cuf_extract.publication import build_publication
from cuf_extract.recipients import Recipient, match_organisations
from cuf_extract.text import clean_text, fold, normalise, organisation_key

# (name, another spelling, same organisation?, the recipients list also accepts it)
# The list of recipients is matched more loosely than two replies are compared: a reply
# signed « Socialiste » answers for the listed « Parti socialiste » when no other listed
# name fits, but two replies are never merged on that (see recipients.py).
NAME_PAIRS: list[tuple[str, str, bool, bool]] = [
    ("Les Écologistes", "Les Ecologistes", True, True),  # accents
    ("Les Écologistes", "LES ÉCOLOGISTES", True, True),  # case
    ("Les Écologistes", "Écologistes", True, True),  # a leading article
    ("Europe Écologie-Les Verts", "Europe Écologie Les Verts", True, True),  # hyphens
    ("Parti socialiste", "parti-socialiste.", True, True),  # hyphens and punctuation
    ("Parti socialiste", "Le  Parti Socialiste", True, True),  # « Parti » with an article
    ("L'Union des démocrates", "L’Union des Démocrates", True, True),  # apostrophes
    ("Œuvre commune", "Oeuvre commune", True, True),  # ligatures
    ("Parti socialiste", "Socialiste", False, True),  # « Parti » dropped
    ("Parti communiste", "Parti communiste français", False, False),  # one name longer
    ("Parti socialiste", "PS", False, False),  # acronyms are not names
    ("Europe Écologie Les Verts", "EELV", False, False),
    ("Les Écologistes", "Les Républicains", False, False),
]


def _result(path: str, respondent: str) -> FileResult:
    return FileResult(
        path=path, name=path, sha256=path, status=Status.OK, respondent=respondent,
        answers=(Answer(question="Q1", text=f"Réponse de {path}"),),
        respondent_source=RespondentSource.HEADER, document_date=None,
    )


def _extraction_says_same(a: str, b: str) -> bool:
    out = cross_file_issues([_result("a.docx", a), _result("b.docx", b)])
    return any(issue.code.value == "same_respondent" for r in out for issue in r.issues)


def _publication_says_same(tmp_path: Path, a: str, b: str) -> bool:
    book = openpyxl.Workbook()
    answers = book.active
    assert answers is not None
    answers.title = "Réponses"
    for values in (["Fichier", "Organisation", "Statut", "Statut de suivi", "A1"],
                   ["a.docx", a, "OK", "", "Oui"], ["b.docx", b, "OK", "", "Non"]):
        answers.append(values)
    questions = book.create_sheet("Questions")
    for values in (["Question", "Texte"], ["A1", "Première question ?"]):
        questions.append(values)
    path = tmp_path / "c.xlsx"
    book.save(path)
    publication = build_publication(path, today=date(2026, 12, 2))
    return len(publication.entries) == 1


def _recipients_say_same(a: str, b: str) -> bool:
    return match_organisations([Recipient(name=a)], [b])[0].certain == 0


@pytest.mark.parametrize(("a", "b", "same", "listed"), NAME_PAIRS)
def test_every_command_agrees_on_what_is_one_organisation(
    tmp_path: Path, a: str, b: str, same: bool, listed: bool
) -> None:
    assert (organisation_key(a) == organisation_key(b)) is same
    assert _extraction_says_same(a, b) is same
    assert _publication_says_same(tmp_path, a, b) is same
    assert _recipients_say_same(a, b) is listed
    assert _recipients_say_same(b, a) is listed


@pytest.mark.parametrize(("text", "folded"), [
    ("Écologie", "ecologie"), ("ŒUVRE", "oeuvre"), ("l’État", "l'etat"), ("l`a", "l'a"),
    ("Straße", "strasse"), ("Déjà vu !", "deja vu !"), ("plain ascii", "plain ascii"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_normalise_is_the_locators() -> None:
    assert normalise("  Question 1 : l’Économie ?") == "question 1 l economie"
    assert locate_normalise is normalise


def test_clean_text_replaces_what_xml_cannot_hold() -> None:
    assert clean_text("a\x00b\ud800c\td") == ("a\ufffdb\ufffdc\td", True)
    assert clean_text("ok\n") == ("ok\n", False)


def _fold_by_definition(text: str) -> str:
    """What `fold` means, one character at a time (its fast path must agree)."""
    import unicodedata

    lowered = text.lower() if text.isascii() else text.casefold()
    for character, replacement in (("’", "'"), ("‘", "'"), ("`", "'"), ("ʼ", "'"),
                                   ("´", "'"), ("œ", "oe"), ("æ", "ae")):
        lowered = lowered.replace(character, replacement)
    decomposed = unicodedata.normalize("NFKD", lowered) if not text.isascii() else lowered
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
       | st.text(alphabet="aeiouÉéèêëàâîïôöùûüçœæŒÆ’‘`ʼ´«» \u0301\u034f\u05b0\u0e31\u20d7",
                 max_size=60))
def test_fold_agrees_with_its_definition(text: str) -> None:
    assert fold(text) == _fold_by_definition(text)


# One Excel cell limit, in UTF-16 code units: the extraction warns exactly when the
# workbook cuts.
_LIMIT = 32_767
CELL_TEXTS = [
    ("a" * _LIMIT, False),
    ("a" * (_LIMIT + 1), True),
    ("é" * _LIMIT, False),  # one code unit each
    ("😀" * 16_383, False),  # 32,766 code units
    ("😀" * 16_384, True),  # 32,768 code units: 16,384 characters, cut all the same
    ("😀" * 20_000, True),
    ("_x0041_" * 4_000 + "a" * 5_000, True),  # escaped to 12 units each: 53,000
    ("a\x00" * 16_383, False),  # control characters replaced one for one
]


@pytest.mark.parametrize(("text", "cut"), CELL_TEXTS, ids=range(len(CELL_TEXTS)))
def test_answer_too_long_exactly_when_the_workbook_cuts(text: str, cut: bool) -> None:
    from cuf_extract.checks import answer_issues
    from cuf_extract.layout import TRUNCATION_MARKER
    from cuf_extract.writers.xlsx import safe_cell_text

    cell = safe_cell_text(text)
    assert cell.truncated is cut
    assert cell.value.endswith(TRUNCATION_MARKER) is cut
    issues = answer_issues(question_ids=["Q1"], answers={"Q1": text}, found=frozenset({"Q1"}),
                           unassigned=())
    assert [i.code.value for i in issues] == (["answer_too_long"] if cut else [])
