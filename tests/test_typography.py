"""The one typographic rule of the tool's French, and the publication's own text."""

from __future__ import annotations

from datetime import date

import pytest

from cuf_extract.publication import (
    FREE_FORMAT_HEADING,
    FREE_FORMAT_NOTE,
    NOT_REPLIED_HEADING,
    SYNTHESIS_HEADING,
    SYNTHESIS_NOTE,
    Entry,
    Publication,
)
from cuf_extract.publication_model import intro_lines, one_line_title
from cuf_extract.typography import french, plural, quoted, violations


@pytest.mark.parametrize(("text", "expected"), [
    ("Statut : OK ; voir « Réponses » ! Pourquoi ?",
     "Statut\u00a0: OK\u00a0; voir «\u00a0Réponses\u00a0»\u00a0! Pourquoi\u00a0?"),
    ("n'ayant pas l'air", "n’ayant pas l’air"),
    ("à 08:50, https://cuf.fr", "à 08:50, https://cuf.fr"),  # no space, nothing added
    ("déjà\u00a0: juste", "déjà\u00a0: juste"),
])
def test_french(text: str, expected: str) -> None:
    assert french(text) == expected
    assert violations(french(text)) == []


def test_violations_name_what_is_wrong() -> None:
    found = violations("Voir « Réponses » : n'oubliez pas ; merci !")
    assert len(found) == 6  # « X », X :, X ;, X !, the apostrophe
    assert any("apostrophe" in v for v in found)


@pytest.mark.parametrize(("count", "word", "expected"), [
    (0, "fichier inchangé", "0\u00a0fichier inchangé"),
    (1, "fichier inchangé", "1\u00a0fichier inchangé"),
    (6, "fichier inchangé", "6\u00a0fichiers inchangés"),
    (2, "réponse lue", "2\u00a0réponses lues"),
    (3, "prix", "3\u00a0prix"),
])
def test_plural(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected


def test_quoted_keeps_the_text_as_is() -> None:
    assert quoted("l'UNION : ?") == "«\u00a0l'UNION : ?\u00a0»"


def test_the_publications_own_text() -> None:
    def publication(entries: int) -> Publication:
        return Publication(
            title="TITRE :\nSUR DEUX LIGNES ?", publisher="Cités Unies France",
            date=date(2026, 3, 1), questions=(), entries=tuple(
                Entry(organisation=f"P{i}", file=f"{i}.docx", answers={})
                for i in range(entries)))

    texts = [NOT_REPLIED_HEADING, FREE_FORMAT_HEADING, FREE_FORMAT_NOTE, SYNTHESIS_HEADING,
             SYNTHESIS_NOTE, one_line_title("TITRE :\nSUR DEUX LIGNES ?")]
    for count in (0, 1, 2):
        texts.extend(intro_lines(publication(count)))
    for text in texts:
        assert violations(text) == [], text
    assert one_line_title("TITRE :\nSUR DEUX LIGNES ?") == "TITRE\u00a0: SUR DEUX LIGNES\u00a0?"
