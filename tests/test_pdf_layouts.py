"""PDF page layouts beyond one column of horizontal text: text columns (read column by
column, never a table without rules), rotated text, filled form fields.

Pages are drawn with exact coordinates by `pdf_builder`; the LibreOffice two-column
section is in the producers' frozen set (`test_pdf_producers.py`).
"""

from __future__ import annotations

from cuf_extract.pdf_reader import read_pdf_pages
from tests.fixtures.pdf_builder import text_pages_pdf

FULL = "Les villes jumelles coopèrent"
NUMBERS = ["un", "deux", "trois", "quatre", "cinq", "six", "sept"]
LONGEST = "la ligne la plus longue"  # the same text: lines of one width, full lines


def _texts(pages: list[list[tuple[float, float, str]]]) -> list[str]:
    return [b.text for b in read_pdf_pages(text_pages_pdf(pages), name="x.pdf").document.blocks]


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
    page = _column_page(left, [])  # the right column's paragraphs start elsewhere
    page += [(310, 700 - i * 26 - (6 if i else 0), text) for i, text in enumerate(right)]
    texts = _texts([page])
    assert texts[1:] == [*left, *right]


def test_paragraphs_side_by_side_in_every_row_are_a_table() -> None:
    # One-line cells: no holes, but every paragraph of the left column starts beside
    # one of the right column, row after row: a table without rules, read by rows.
    left = [f"Question {n}, {LONGEST} ?" for n in NUMBERS[:5]]
    right = [f"Réponse {n}, {LONGEST}" for n in NUMBERS[:5]]
    texts = _texts([_column_page(left, right)])
    assert texts.index(right[0]) < texts.index(left[1])


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
    page = _column_page(left, [])
    page += [(310, 700 - i * 26 - (6 if i else 0), text) for i, text in enumerate(right)]
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


# --------------------------------------------------------------------------- rotated text


def rotated_pdf(lines: list[tuple[float, float, str]], *, angle: int = 90,
                page_rotate: int | None = None) -> bytes:
    """A portrait page (595 x 842) whose text is drawn turned by `angle` degrees
    counter-clockwise, shown upright by a viewer thanks to the page's `/Rotate angle`
    (a landscape page, or a page scanned upside down). `lines` are (x, baseline y,
    text) as seen on the shown page."""
    from tests.fixtures.pdf_builder import _escape, pdf

    width, height = 595.0, 842.0
    ops: list[bytes] = []
    for dx, dy, text in lines:
        if angle == 90:  # shown landscape: x along the user's y, up along the user's -x
            matrix = (0, 1, -1, 0, width - dy, dx)
        elif angle == 270:
            matrix = (0, -1, 1, 0, dy, height - dx)
        else:  # 180: shown upside down on the portrait page
            matrix = (-1, 0, 0, -1, width - dx, height - dy)
        ops.append(b"BT /F1 11 Tf %d %d %d %d %.2f %.2f Tm (%s) Tj ET\n" % (
            *matrix, _escape(text)))
    stream = b"".join(ops)
    rotate = angle if page_rotate is None else page_rotate
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>" % rotate,
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ])


ROTATED_LINES = [
    (72, 520, "Réponse du Parti de la mer"),
    (72, 480, "Oui, nous inciterons nos candidats à coopérer."),
    (72, 440, "Non, pas de poste d’adjoint spécifique."),
]


def test_text_drawn_rotated_is_read_in_its_own_direction() -> None:
    for angle in (90, 270, 180):
        data = rotated_pdf(ROTATED_LINES, angle=angle)
        blocks = read_pdf_pages(data, name="x.pdf").document.blocks
        assert [b.text for b in blocks] == [text for _, _, text in ROTATED_LINES], angle


def test_a_rotated_page_with_upright_text_reads_as_before() -> None:
    # /Rotate alone turns the page for the viewer; the text itself is drawn upright.
    pages = [[(72, 700 - 40 * i, text) for i, (_, _, text) in enumerate(ROTATED_LINES)]]
    data = text_pages_pdf(pages).replace(b"/Type /Page /Parent", b"/Type /Page /Rotate 90 /Parent")
    assert b"/Rotate 90" in data
    blocks = read_pdf_pages(data, name="x.pdf").document.blocks
    assert [b.text for b in blocks] == [text for _, _, text in ROTATED_LINES]


def test_a_turned_side_note_does_not_turn_the_page() -> None:
    # Mostly upright text with one line printed up the margin: the page stays as is.
    page = [(72.0, 700 - 40.0 * i, text) for i, (_, _, text) in enumerate(ROTATED_LINES * 3)]
    data = text_pages_pdf([page]).replace(
        b"ET\n", b"ET\nBT /F1 8 Tf 0 1 -1 0 580 100 Tm (Document interne) Tj ET\n", 1)
    texts = [b.text for b in read_pdf_pages(data, name="x.pdf").document.blocks]
    assert texts[:3] == [text for _, _, text in ROTATED_LINES]


# --------------------------------------------------------------------------- form fields


def _pdf_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def form_pdf(fields: list[bytes], printed: list[tuple[float, float, str]]) -> bytes:
    """One A4 page printing `printed` (x, y, text) in Helvetica, with the widget
    annotations `fields` (dictionaries without /P, objects 6, 7, …) in its AcroForm."""
    from tests.fixtures.pdf_builder import _escape, pdf

    refs = b" ".join(b"%d 0 R" % (6 + i) for i in range(len(fields)))
    stream = b"".join(b"BT /F1 11 Tf %.1f %.1f Td (%s) Tj ET\n" % (x, y, _escape(text))
                      for x, y, text in printed)
    on = b"<< /Length 0 /Type /XObject /Subtype /Form /BBox [0 0 12 12] >>\nstream\n\nendstream"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] "
        b"/DA (/Helv 10 Tf 0 g) >> >>" % refs,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
        b"<< /F1 3 0 R >> >> /Contents 5 0 R /Annots [%s] >>" % refs,
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    count = len(fields)
    objects += [field.replace(b">>", b" /P 4 0 R >>", 1) if b"/AP" not in field else
                field.replace(b"/AP", b"/P 4 0 R /AP", 1) for field in fields]
    objects += [on, on]  # the check box's appearances (objects 6 + count and 7 + count)
    data = pdf(objects)
    return data.replace(b"ON_REF", b"%d 0 R" % (6 + count)).replace(
        b"OFF_REF", b"%d 0 R" % (7 + count))


def text_field(name: str, value: str, rect: bytes, *, flags: int = 4) -> bytes:
    return (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (%s) /V %s /Rect [%s] /F %d "
            b"/Ff 4096 /DA (/Helv 10 Tf 0 g) >>" % (name.encode(), _pdf_string(value), rect,
                                                   flags))


def check_box(name: str, rect: bytes, checked: bool) -> bytes:
    state = b"/Yes" if checked else b"/Off"
    return (b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (%s) /V %s /AS %s /Rect [%s] "
            b"/F 4 /AP << /N << /Yes ON_REF /Off OFF_REF >> >> >>" % (
                name.encode(), state, state, rect))


def test_filled_form_fields_are_read_where_they_stand() -> None:
    data = form_pdf(
        [text_field("q1", "Oui, l’action internationale est une priorité.\nNous formerons "
                    "nos élus.", b"72 640 522 700"),
         check_box("oui", b"100 596 112 608", True),
         check_box("non", b"160 596 172 608", False),
         text_field("cache", "texte caché", b"72 500 522 520", flags=2),  # hidden
         text_field("vide", "", b"72 460 522 480")],
        [(72, 720, "Question 1 : votre position ?"), (72, 600, "Oui"), (132, 600, "Non"),
         (72, 420, "Fin du formulaire")])
    texts = [b.text for b in read_pdf_pages(data, name="x.pdf").document.blocks]
    assert texts == ["Question 1 : votre position ?",
                     "Oui, l’action internationale est une priorité.",
                     "Nous formerons nos élus.", "Oui ☒ Non ☐", "Fin du formulaire"]


def test_a_form_field_past_the_page_bound_is_too_large() -> None:
    import pytest

    from cuf_extract.package import PackageError

    data = form_pdf([text_field("q1", "mot " * 20_000, b"72 640 522 700")],
                    [(72, 720, "Question")])
    with pytest.raises(PackageError) as caught:
        read_pdf_pages(data, name="x.pdf")
    assert caught.value.code.value == "too_large"


def test_a_form_field_with_control_characters_keeps_only_text() -> None:
    data = form_pdf([text_field("q1", "Oui\x07, sans\x00 réserve\x1f.", b"72 640 522 700")],
                    [(72, 720, "Question")])
    texts = [b.text for b in read_pdf_pages(data, name="x.pdf").document.blocks]
    assert texts == ["Question", "Oui, sans réserve."]
