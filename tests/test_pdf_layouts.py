"""PDF page layouts beyond one column of horizontal text: text columns (read column by
column, never a table without rules), rotated text, filled form fields.

Pages are drawn with exact coordinates by `pdf_builder`; the LibreOffice two-column
section is in the producers' frozen set (`test_pdf_producers.py`).
"""

from __future__ import annotations

from cuf_extract.pdf_reader import read_pdf
from tests.fixtures.pdf_builder import text_pages_pdf

FULL = "Les villes jumelles coopèrent"
NUMBERS = ["un", "deux", "trois", "quatre", "cinq", "six", "sept"]
LONGEST = "la ligne la plus longue"  # the same text: lines of one width, full lines


def _texts(pages: list[list[tuple[float, float, str]]]) -> list[str]:
    return [b.text for b in read_pdf(text_pages_pdf(pages), name="x.pdf").blocks]


def _column_page(left: list[str], right: list[str], step: float = 26.0,
                 top: float = 700.0) -> list[tuple[float, float, str]]:
    """A title across the page, then two columns (x 57 and 310), one line every `step`."""
    title = "Réponses du Mouvement des villes ouvertes au questionnaire de Cités Unies France"
    page: list[tuple[float, float, str]] = [(57, 760, title)]
    page += [(57, top - i * step, text) for i, text in enumerate(left)]
    page += [(310, top - i * step, text) for i, text in enumerate(right)]
    return page


def test_two_columns_are_read_column_by_column() -> None:
    left = [f"Gauche {n}" for n in NUMBERS[:6]]
    left[0] += f", {LONGEST}"  # the others end short: each is a paragraph
    right = [f"Droite {n}" for n in NUMBERS[:6]]
    right[0] += f", {LONGEST}"
    texts = _texts([_column_page(left, right)])
    assert texts[1:] == [*left, *right]


def test_a_paragraph_runs_from_the_left_column_into_the_right_one() -> None:
    left = [f"Ligne {n} seule." for n in range(1, 5)] + [FULL, FULL]
    right = [FULL, "fin.", "Droite 2.", "Droite 3.", "Droite 4."]
    page = _column_page(left[:4], [], step=26.0)
    # the paragraph's lines are one line pitch apart, in both columns
    page += [(57, 596 - i * 13, text) for i, text in enumerate(left[4:])]
    page += [(310, 700 - i * 13, text) for i, text in enumerate(right[:2])]
    page += [(310, 660 - i * 26, text) for i, text in enumerate(right[2:])]
    texts = _texts([page])
    assert f"{FULL} {FULL} {FULL} fin." in texts
    assert texts.index("Ligne 4 seule.") < texts.index(f"{FULL} {FULL} {FULL} fin.") < (
        texts.index("Droite 2."))


def test_a_signature_under_the_columns_comes_after_them() -> None:
    left = [f"Gauche {n}" for n in NUMBERS[:6]]
    left[0] += f", {LONGEST}"
    right = [f"Droite {n}" for n in NUMBERS]
    right[0] += f", {LONGEST}"
    page = _column_page(left, right)
    page.append((57, 400, "Le bureau national"))
    texts = _texts([page])
    assert texts[1:] == [*left, *right, "Le bureau national"]


def test_a_question_answer_table_without_rules_is_not_read_as_columns() -> None:
    # Questions on the left, answers on the right, row by row: a short question beside
    # a long answer leaves holes in the left column. Reading the question column first
    # would put every answer under the last question.
    page: list[tuple[float, float, str]] = []
    y = 700.0
    for n in NUMBERS[:4]:
        page.append((57, y, f"Question {n} ?"))
        page.extend((310, y - 13 * i, f"Réponse {n}, ligne {k}")
                    for i, k in enumerate(NUMBERS[:4]))
        y -= 13 * 4 + 20
    texts = " | ".join(_texts([page]))
    for n, following in zip(NUMBERS[:3], NUMBERS[1:4], strict=True):
        assert texts.index(f"Question {following}") > texts.index(f"Réponse {n}, ligne quatre")


def test_columns_of_very_different_widths_are_not_columns() -> None:
    left = [f"G{n}" for n in range(1, 7)]
    right = [f"Une ligne bien plus longue que la colonne de gauche, numéro {n}."
             for n in range(1, 7)]
    texts = _texts([_column_page(left, right)])
    assert texts[1:3] != left[:2]  # read across, row by row, as before
