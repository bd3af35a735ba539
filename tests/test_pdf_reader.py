"""PDF replies: real producers' PDFs through the whole extraction, and the layout rules
on PDFs built in code with exact coordinates or on words placed in code (`read_words`,
the way OCR words enter them): through public functions only, so that the modules
behind them can change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cuf_extract.document import Block, DocumentText
from cuf_extract.locate import Matcher
from cuf_extract.package import PackageError
from cuf_extract.pdf_layout import PlacedWord, read_words
from cuf_extract.pdf_reader import read_pdf_pages
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.pdf_builder import (
    blank_page_pdf,
    flate_bomb_pdf,
    many_pages_pdf,
    reference_loop_pdf,
    text_pages_pdf,
)
from tests.fixtures.pdf_mapped import Piece, Units, mapped_text_pdf
from tests.fixtures.pdf_sources import LONG_Q3, PDF_DIR, PDF_ERRORS, PDF_VARIANTS
from tests.fixtures.variants import TEMPLATE_SNIPPETS, Variant

MATCHER = Matcher(load_questionnaire())

PAGE_HEIGHT = 842.0
# A line typed at x on a baseline (up from the page's foot); with a fourth value, its
# letters spread to end there (a justified line).
TypedLine = tuple[str, float, float] | tuple[str, float, float, float]


def _placed(lines: list[TypedLine]) -> list[PlacedWord]:
    """Lines as words placed on the page: letters 6 pt wide and spaces 3 pt, as in a
    real 11 pt font, or spread evenly to end at the line's right edge when it has one."""
    words: list[PlacedWord] = []
    for number, (text, x, base, *end) in enumerate(lines):
        steps = [3.0 if ch == " " else 6.0 for ch in text]
        scale = (end[0] - x) / sum(steps) if end else 1.0
        for match in re.finditer(r"\S+", text):
            x0 = x + scale * sum(steps[:match.start()])
            x1 = x + scale * sum(steps[:match.end()]) - (0 if end else 1.0)
            words.append(PlacedWord(match[0], x0, x1, PAGE_HEIGHT - base, 11.0, number))
    return words


def _typed(*pages: list[TypedLine]) -> DocumentText:
    """Pages of typed lines through the layout rules (`read_words`), no PDF in between."""
    return read_words([(PAGE_HEIGHT, _placed(lines)) for lines in pages])


def _synthetic(lines: list[TypedLine]) -> list[tuple[str | None, str]]:
    """Each block's list label and text, read from typed lines."""
    return [(b.list_label, b.text) for b in _typed(lines).blocks]


@pytest.mark.parametrize("variant", PDF_VARIANTS, ids=lambda v: v.name)
def test_producer_pdf_gives_the_exact_answers(variant: Variant, tmp_path: Path) -> None:
    path = tmp_path / variant.name
    path.write_bytes(variant.build())
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    answers = {a.question: a.text for a in result.answers}
    assert answers == variant.answers
    codes = {issue.code.value for issue in result.issues}
    assert variant.issues <= codes, (variant.issues - codes, codes)
    assert result.status.value in ("ok", "warning")
    extra = "\n".join(result.extra_text)
    for snippet in variant.extra_contains:
        assert snippet in extra
    for snippet in [*variant.not_in_answers, *TEMPLATE_SNIPPETS]:
        for text in answers.values():
            assert text is None or snippet not in text, snippet
    if variant.respondent is not None:
        assert result.respondent == variant.respondent


@pytest.mark.usefixtures("no_ocr")
@pytest.mark.parametrize(("name", "code"), sorted(PDF_ERRORS.items()))
def test_unreadable_producer_pdfs_get_their_code(name: str, code: str) -> None:
    result = extract_file(InputFile(path=PDF_DIR / name, display=name), MATCHER)
    assert result.status.value == "error"
    assert [issue.code.value for issue in result.issues] == [code]
    assert f"« {name} »" in result.issues[0].message
    assert all(a.text is None for a in result.answers)


@pytest.mark.usefixtures("no_ocr")
def test_scanned_message_says_what_to_do() -> None:
    result = extract_file(InputFile(path=PDF_DIR / "image_only.pdf", display="x"), MATCHER)
    message = result.issues[0].message
    assert "cuf-extract modele" in message and "Word" in message


def test_running_header_footer_and_page_numbers_leave_the_flow() -> None:
    data = (PDF_DIR / "lo_page_break.pdf").read_bytes()
    document = read_pdf_pages(data, name="x.pdf").document
    assert document.headers == (
        "Union des Territoires Solidaires – réponse au questionnaire de Cités Unies France",)
    assert document.footers == ()  # "Page N / M" only: page numbers are not kept
    assert not any("Page" in b.text and "/" in b.text for b in document.blocks)
    assert not any(b.text == "Cités Unies France" for b in document.blocks)


def test_letterhead_stays_in_the_flow_and_footer_is_kept_once() -> None:
    data = (PDF_DIR / "lo_letterhead_footer.pdf").read_bytes()
    document = read_pdf_pages(data, name="x.pdf").document
    assert document.headers == ("Union des Territoires Solidaires",)
    assert document.footers == (
        "Union des Territoires Solidaires – 12 rue de la République, 75011 Paris",)
    assert document.blocks[0].text == "Union des Territoires Solidaires"


def test_table_cells_are_read_row_by_row() -> None:
    document = read_pdf_pages((PDF_DIR / "lo_qa_table.pdf").read_bytes(), name="x.pdf").document
    cells = [b for b in document.blocks if b.cell is not None]
    assert [b.cell for b in cells[:4]] == [(0, 0, 0), (0, 0, 1), (0, 0, 1), (0, 1, 0)]
    assert cells[0].text.startswith("Entendez-vous inciter")
    assert cells[1].text.startswith("Oui. Notre parti")


def test_table_over_a_page_break_keeps_its_rows_and_reads_its_header_once() -> None:
    document = read_pdf_pages((PDF_DIR / "lo_long_table.pdf").read_bytes(), name="x.pdf").document
    cells = [b for b in document.blocks if b.cell is not None]
    assert [b.text for b in cells].count("Réponses du parti") == 1  # repeated on page 2
    q3 = [b for b in cells if b.cell == (0, 3, 1)]
    # The row broken over the page is one row, its first paragraph one block.
    assert [b.text for b in q3] == LONG_Q3
    assert {b.cell[0] for b in cells if b.cell} == {0}
    assert max(b.cell[1] for b in cells if b.cell) == 5  # header + 5 questions


def test_symbol_bullet_alone_on_its_line_labels_the_next_line() -> None:
    assert _synthetic([("\uf0b7", 72, 700), ("premier point", 90, 687),
                       ("\uf0a7 second point", 72, 660)]) == [
        ("-", "premier point"), ("-", "second point")]


def test_document_information_becomes_properties() -> None:
    info = (b"<< /Title (Reponse UTS) /Author (Claire Lefevre) /Creator (Writer) "
            b"/ModDate (D:20200207103000+01'00') >>")
    data = text_pages_pdf([[(72, 700, "Bonjour")]], info=info)
    properties = read_pdf_pages(data, name="x.pdf").document.properties
    assert properties.title == "Reponse UTS"
    assert properties.creator == "Claire Lefevre"
    # Its offset kept: a PDF's local time and Word's UTC are compared as instants.
    assert properties.modified == "2020-02-07T10:30:00+01:00"


def _blocks(*pages: list[tuple[float, float, str]]) -> list[Block]:
    return list(read_pdf_pages(text_pages_pdf(list(pages)), name="x.pdf").document.blocks)


def test_lines_join_into_paragraphs_and_short_lines_end_them() -> None:
    long = "Nous proposerons que l'evaluation des politiques locales, dont la politique"
    blocks = _blocks([
        (72, 700, long), (72, 687, "internationale, associe des citoyens."),
        (72, 674, "Les resultats seront publies chaque annee."),
    ])
    assert [b.text for b in blocks] == [
        f"{long} internationale, associe des citoyens.",
        "Les resultats seront publies chaque annee.",
    ]


def test_bullets_and_numbers_become_list_labels() -> None:
    blocks = _blocks([
        (72, 700, "\u2022"), (90, 700, "premier point"),  # bullet drawn apart, same line
        (72, 680, "\u2022"),  # a bullet alone on its line, its item below
        (90, 666, "second point"),
        (72, 640, "2. troisieme point"),
        (72, 620, "- quatrieme point"),
    ])
    assert [(b.list_label, b.text) for b in blocks] == [
        ("-", "premier point"), ("-", "second point"), ("2.", "troisieme point"),
        ("-", "quatrieme point"),
    ]


def test_page_numbers_are_dropped_in_every_spelling() -> None:
    pages = [[(72, 700, f"Reponse page {n}"), (280, 30, label)]
             for n, label in enumerate(["3", "Page 4 / 5", "- 5 -", "6/7"], start=1)]
    blocks = _blocks(*pages)
    # Full lines on each page: one paragraph running over the page breaks, no numbers.
    assert [b.text for b in blocks] == [" ".join(f"Reponse page {n}" for n in range(1, 5))]


def test_page_box_not_at_the_origin() -> None:
    # Some producers place the page at (100, 100): the bands follow the page box.
    pages = [[(172, 600, f"Texte {n}"), (380, 130, f"{n}")] for n in (1, 2)]
    data = text_pages_pdf(pages, mediabox=b"100 100 695 942")
    blocks = read_pdf_pages(data, name="x.pdf").document.blocks
    assert " ".join(b.text for b in blocks) == "Texte 1 Texte 2"


def test_justified_line_with_wide_gaps_stays_one_line() -> None:
    # One run of text with word spacing: drawn as separate words far apart.
    blocks = _blocks([(72, 700, "Oui"), (110, 700, "sans"), (150, 700, "aucun"),
                      (200, 700, "doute.")])
    assert [b.text for b in blocks] == ["Oui sans aucun doute."]


def _joined(before: str, after: str, *others: str) -> bool:
    """Whether the hyphen ending `before`, a line reaching the margin, is read as the
    layout's (the word joined) when `after` follows it; `others` are paragraphs of their
    own elsewhere in the document (its other words). A hyphen judged typed is kept."""
    lines: list[TypedLine] = [(before, 72, 700, 523), (after, 72, 687)]
    lines += [(text, 72, 600 - 30 * n) for n, text in enumerate(others)]
    text = _typed(lines).blocks[0].text
    assert text in (before[:-1] + after, before + after), text
    return text == before[:-1] + after


@pytest.mark.parametrize(("before", "after", "layout"), [
    ("la coopé-", "ration décentralisée", True),
    ("Nord-", "Pas-de-Calais", False),
    ("Nord-Pas-", "de-Calais", False),
    ("le mandat 2020-", "2021", False),
    ("peut-", "être", False),
    ("sous-", "préfecture", False),
    ("les jume-", "lages", True),
])
def test_line_end_hyphen_judgement(before: str, after: str, layout: bool) -> None:
    assert _joined(before, after) is layout


def test_hyphens_in_a_producer_pdf_are_kept_where_typed() -> None:
    document = read_pdf_pages((PDF_DIR / "lo_page_break.pdf").read_bytes(), name="x.pdf").document
    text = "\n".join(b.text for b in document.blocks)
    assert text.count("Nord-Pas-de-Calais") == 8 and "NordPas" not in text
    assert text.count("2020-2021") == 8


@pytest.mark.parametrize(("text", "label", "rest"), [
    ("• point", "-", "point"), ("\uf0b7 point", "-", "point"),
    ("– point", "–", "point"),  # a dash typed before the text keeps its own character
    ("1. point", "1.", "point"), ("a) point", "a)", "point"),
    ("2020-2021 : oui", None, "2020-2021 : oui"), ("Oui.", None, "Oui."),
    ("octobre", None, "octobre"),
])
def test_list_markers(text: str, label: str | None, rest: str) -> None:
    assert _synthetic([(text, 72, 700)]) == [(label, rest)]


def test_ligatures_and_controls_in_the_text_layer() -> None:
    """Ligatures (Unicode's and Adobe's private-use fi and fl) become their letters; a
    control character outside a TeX font is dropped, a lone surrogate is U+FFFD."""
    line: list[Piece] = ["Une ", Units("FB01"), "n, un ", Units("FB02"), "ot, ", Units("F001"),
                         Units("F002"), " et ", Units("001C"), Units("D800"), "."]
    data = mapped_text_pdf([[(72, 700, line)]], size=11)
    blocks = read_pdf_pages(data, name="x.pdf").document.blocks
    assert [b.text for b in blocks] == ["Une fin, un flot, fifl et \ufffd."]


@pytest.mark.parametrize(("data", "code"), [
    (reference_loop_pdf(), "unreadable"),
    (many_pages_pdf(), "too_large"),
    (blank_page_pdf(), "unreadable"),  # no text and no image: not a scan
    (text_pages_pdf([[]], image_pages=[0]), "scanned_pdf"),
    (b"%PDF-1.7\n", "unreadable"),
    (flate_bomb_pdf(64), "too_large"),
    (flate_bomb_pdf(40, layers=2), "too_large"),  # small once, huge twice inflated
])
def test_hostile_pdfs_end_with_an_error(data: bytes, code: str) -> None:
    with pytest.raises(PackageError) as error:
        read_pdf_pages(data, name="x.pdf")
    assert error.value.code.value == code
    assert "« x.pdf »" in error.value.message


def test_time_limit_stops_a_slow_pdf() -> None:
    ticks = iter(range(1000))
    data = text_pages_pdf([[(72, 700, "Bonjour")]] * 3)
    with pytest.raises(PackageError) as error:
        read_pdf_pages(data, name="x.pdf", max_seconds=1.5,
                       clock=lambda: float(next(ticks)))
    assert error.value.code.value == "too_large"


@pytest.mark.parametrize("layers", [1, 2])
def test_streams_under_the_inflate_limit_are_left_to_pdfium(layers: int) -> None:
    # Inflating stops at each stream's end (data follows it: "endstream", objects).
    data = flate_bomb_pdf(4, layers=layers)
    with pytest.raises(PackageError) as error:
        read_pdf_pages(data, name="x.pdf")
    assert error.value.code.value == "unreadable"  # read to the end: drawings, no text
    assert "sans aucun texte" in error.value.message


def test_dash_wrapped_from_a_full_line_is_text_not_a_list() -> None:
    full = "les collectivites territoriales sont des acteurs majeurs de l"  # 60 chars
    assert _synthetic([(full, 72, 700), ("- AICT est une politique publique.", 72, 687)]) == [
        (None, f"{full} - AICT est une politique publique.")]


def test_typed_dash_items_stay_list_items() -> None:
    full = "- premier point tres long qui remplit toute la ligne jusqu au b"
    assert _synthetic([("Nos priorites :", 72, 700), (full, 72, 687),
                       ("ord de la page.", 72, 674), ("- second point", 72, 661)]) == [
        (None, "Nos priorites :"), ("-", full[2:] + " ord de la page."),
        ("-", "second point")]


def test_a_year_alone_below_the_first_line_is_not_a_page_number() -> None:
    page_1 = [(72, 800, "En-tete du parti"), (72, 780, "2021"), (72, 600, "Texte 1")]
    page_2 = [(72, 800, "En-tete du parti"), (72, 780, "3"), (72, 600, "Texte 2")]
    blocks = _blocks(page_1, page_2)
    # The running header goes, then "2021" (a year, not a page number) stops the search;
    # on page 2 the "3" below the running header is a page number.
    assert [b.text for b in blocks] == ["2021", "Texte 1 Texte 2"]


def test_list_levels_come_from_the_markers_indents() -> None:
    blocks = read_pdf_pages(text_pages_pdf([[
        (90, 700, "\u2022"), (108, 700, "premier point"),
        (108, 686, "o"), (126, 686, "sous-point"),  # Word's level-2 bullet, then a tab
        (90, 672, "\u2022"), (108, 672, "second point"),
        (72, 650, "- tape a la main"),  # a typed dash: a list item, never nested
    ]]), name="x.pdf").document.blocks
    assert [(b.list_label, b.list_level, b.text) for b in blocks] == [
        ("-", 0, "premier point"), ("-", 1, "sous-point"), ("-", 0, "second point"),
        ("-", 0, "tape a la main")]


def test_word_placeholder_text_is_not_an_answer() -> None:
    blocks = _blocks([(72, 700, "Cliquez ou appuyez ici pour entrer du texte."),
                      (72, 660, "Oui.")])
    assert [b.text for b in blocks] == ["Oui."]


def test_footnotes_leave_the_flow_and_their_reference_stays() -> None:
    pages = [[(72, 700, "Nous le recommanderons dans les communes."), (300, 704, "1", 6),
              (72, 686, "Fin de la reponse."),
              (72, 77, "1", 6), (76, 73, "Decision du conseil national.", 9)]]
    document = read_pdf_pages(text_pages_pdf(pages, rules=[(72, 85, 185)]), name="x.pdf").document
    assert [b.text for b in document.blocks] == [
        "Nous le recommanderons dans les communes.[1] Fin de la reponse."]
    assert document.notes == (("Note 1", "Decision du conseil national."),)


@pytest.mark.usefixtures("no_ocr")
def test_pages_that_are_only_images_are_named(tmp_path: Path) -> None:
    pages: list[list[tuple[float, float, str]]] = [
        [(72, 700, "Oui.")], [], [(72, 700, "Fin.")], []]
    path = tmp_path / "mixte.pdf"
    path.write_bytes(text_pages_pdf(pages, image_pages=[1]))  # page 4 is blank, not a scan
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    scanned = [i for i in result.issues if i.code.value == "scanned_pdf"]
    assert len(scanned) == 1 and "page 2 sur 4" in scanned[0].message
    assert result.status.value == "error"  # what is on page 2 must be read by hand


def test_spaces_are_kept_as_typed_and_ligatures_become_letters() -> None:
    data = mapped_text_pdf([[(72, 700, ["Oui\u202f! 20\u00a0000 e\ufb03cace"])]], size=11)
    blocks = read_pdf_pages(data, name="x.pdf").document.blocks
    assert [b.text for b in blocks] == ["Oui\u202f! 20\u00a0000 efficace"]


def test_table_header_row_at_the_top_of_each_page_is_not_a_running_header() -> None:
    grid = [(72, 800, 72, 600), (250, 800, 250, 600), (520, 800, 520, 600),
            (72, 800, 520, 800), (72, 780, 520, 780), (72, 600, 520, 600)]
    pages = [[(75, 785, "Question"), (255, 785, "Reponse"), (75, 765, question),
              (255, 765, answer)]
             for question, answer in (("Premiere question", "Oui."), ("Seconde", "Non."))]
    document = read_pdf_pages(text_pages_pdf(pages, segments=grid), name="x.pdf").document
    assert document.headers == ()
    assert [(b.cell, b.text) for b in document.blocks] == [
        ((0, 0, 0), "Question"), ((0, 0, 1), "Reponse"),
        ((0, 1, 0), "Premiere question"), ((0, 1, 1), "Oui."),
        ((0, 2, 0), "Seconde"), ((0, 2, 1), "Non.")]


def test_a_page_with_only_a_logo_is_not_a_scan(tmp_path: Path) -> None:
    pages: list[list[tuple[float, float, str]]] = [[(72, 700, "Oui.")], []]
    path = tmp_path / "logo.pdf"
    path.write_bytes(text_pages_pdf(pages, image_pages=[1], image_size=(120, 60)))
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    assert "scanned_pdf" not in {i.code.value for i in result.issues}


def test_browser_print_stamps_leave_the_flow_even_on_one_page() -> None:
    # A browser's default print header (date and time, page title) and footer (address,
    # "page/pages"): on a one-page reply nothing repeats, yet neither is the respondent's.
    def page(n: int, count: int, body: str) -> list[tuple[float, float, str]]:
        return [(20, 828, "05/02/2020 18:18"), (260, 828, "Reponse EELV"),
                (72, 700, body),
                (20, 14, "file:///C:/Users/secretariat/Documents/reponse.html"),
                (560, 14, f"{n}/{count}")]

    one = read_pdf_pages(text_pages_pdf([page(1, 1, "Oui, absolument.")]), name="x.pdf").document
    assert [b.text for b in one.blocks] == ["Oui, absolument."]
    assert one.headers == ()  # a print stamp does not name the respondent
    assert one.footers == ("05/02/2020 18:18 Reponse EELV",
                           "file:///C:/Users/secretariat/Documents/reponse.html")
    two = read_pdf_pages(text_pages_pdf([page(1, 2, "Oui, absolument."), page(2, 2, "Non.")]),
                   name="x.pdf").document
    assert " ".join(b.text for b in two.blocks) == "Oui, absolument. Non."
    assert two.headers == ()
    assert two.footers == one.footers


def test_text_ending_in_a_fraction_at_the_bottom_is_kept() -> None:
    # "1/2" that is not this page's number out of the page count is the respondent's.
    blocks = _blocks([(72, 700, "Oui."), (72, 14, "Nous y consacrerons 1/2")])
    assert [b.text for b in blocks] == ["Oui.", "Nous y consacrerons 1/2"]


def test_centred_title_whose_first_line_is_nearly_full_width_is_one_paragraph() -> None:
    # A centred 18 pt title wrapped by the producer: its first line spans nearly the
    # whole width (equal margins left and right), the second is centred under it.
    blocks = _blocks([
        (80, 700, "Reponse du Parti socialiste au questionnaire", 18),
        (175, 679, "de Cites Unies France", 18),
        (72, 640, "Madame la Directrice generale, voici nos reponses a votre questionnaire sur"),
        (72, 626, "l'action internationale."),
    ])
    assert [b.text for b in blocks] == [
        "Reponse du Parti socialiste au questionnaire de Cites Unies France",
        "Madame la Directrice generale, voici nos reponses a votre questionnaire sur "
        "l'action internationale."]


def test_firefox_style_print_stamps_leave_the_flow() -> None:
    # Firefox: the page title and address at the top, "1 sur 1" and the date below.
    document = read_pdf_pages(text_pages_pdf([[
        (20, 828, "Reponse du PCF"), (300, 828, "https://webmail.example.org/message/42"),
        (72, 700, "Oui, absolument."),
        (20, 14, "1 sur 1"), (480, 14, "05/02/2020 18:18"),
    ]]), name="x.pdf").document
    assert [b.text for b in document.blocks] == ["Oui, absolument."]
    assert document.headers == ()
    assert document.footers == ("Reponse du PCF https://webmail.example.org/message/42",
                                "05/02/2020 18:18")


def test_an_address_ending_an_answer_low_on_the_page_stays_in_it() -> None:
    # In the bottom band but inside the text area: the respondent's, not a stamp.
    blocks = _blocks([(72, 700, "Oui."), (72, 80, "Voir https://www.exemple.fr/programme 1/1")])
    assert [b.text for b in blocks] == ["Oui.", "Voir https://www.exemple.fr/programme 1/1"]


def test_tick_boxes_are_read_as_boxes_not_as_a_list_bullet() -> None:
    # "☐ Oui ☑ Non" in Wingdings arrives as private-use code points (LibreOffice
    # exports them in OpenSymbol, with no word of the original font); the empty box
    # starting the line is a tick box, not a bullet: taking it for one would show
    # "- Oui" and hide which option was ticked.
    assert _synthetic([("\uf0a8 Oui   \uf0fe Non", 72, 700)]) == [(None, "☐ Oui ☑ Non")]
    assert _synthetic([("\uf0fe Oui \uf0a8 Non", 72, 700)]) == [(None, "☑ Oui ☐ Non")]


def test_a_lone_private_use_bullet_is_still_a_bullet() -> None:
    assert _synthetic([("\uf0a8 premier point", 72, 700)]) == [("-", "premier point")]


def test_private_use_symbols_left_in_the_text_become_visible_placeholders() -> None:
    document = _typed([("nous le ferons \uf0ae dès 2020.", 72, 700), ("Oui.", 72, 660)])
    assert [b.text for b in document.blocks] == [
        "nous le ferons [symbole ? F0AE] dès 2020.", "Oui."]
    assert document.unknown_symbols == ("[symbole ? F0AE]",)


def test_indented_short_lines_of_like_length_are_not_a_centred_title() -> None:
    # Chromium draws list bullets as shapes: the items are indented lines with no
    # marker; sharing their left edge, they are not a title centred over two lines.
    full = "Nous proposerons deux mesures dans notre programme pour les communes :"
    assert [text for _, text in _synthetic([
        (full, 72, 700),
        ("une place dans les comites de programmation ;", 110, 687),
        ("un guichet unique pour les petites communes.", 110, 674),
    ])] == [full, "une place dans les comites de programmation ;",
            "un guichet unique pour les petites communes."]


@pytest.mark.parametrize("data", [
    blank_page_pdf(),
    text_pages_pdf([[], []], rules=[(72, 400, 500)],
                   segments=[(72, 300, 72, 600), (300, 300, 300, 600), (500, 300, 500, 600)]),
])
def test_blank_or_drawing_only_pdf_says_it_has_no_text(data: bytes) -> None:
    with pytest.raises(PackageError) as error:
        read_pdf_pages(data, name="x.pdf")
    assert error.value.code.value == "unreadable"
    assert "sans aucun texte" in error.value.message
    assert "scann" not in error.value.message


def test_line_end_hyphens_u2010_and_soft_are_judged_like_a_hyphen() -> None:
    """WeasyPrint and Typst hyphenate with U+2010 (PDFium reports U+00AD and "-" at a
    line end as U+0002): a layout hyphen is joined, a compound's is kept, and the
    document's own spelling of the word elsewhere decides for a prefix like "inter"."""
    lead = "Nous soutiendrons la coopération décentralisée avec tous nos partenaires "
    paragraphs = [
        [lead + "coopé\u2010", "ration renforcée."],
        [lead + "inter\u2010", "nationaux de la commune."],  # "internationaux" below
        [lead + "peut\u2010", "être bientôt."],
        [lead + "jume\u00ad", "lages anciens."],
        [lead + "sous-", "préfecture voisine."],
        ["Les partenaires internationaux sont nombreux."],
    ]
    lines: list[tuple[float, float, list[Piece]]] = []
    y = 760.0
    for paragraph in paragraphs:
        for text in paragraph:
            lines.append((72, y, [text]))
            y -= 11
        y -= 11
    blocks = read_pdf_pages(mapped_text_pdf([lines]), name="x.pdf").document.blocks
    assert [b.text for b in blocks] == [
        lead + "coopération renforcée.",
        lead + "internationaux de la commune.",
        lead + "peut\u2010être bientôt.",
        lead + "jumelages anciens.",
        lead + "sous-préfecture voisine.",
        "Les partenaires internationaux sont nombreux.",
    ]


# Where the document types its hyphens as "-" ("lui-même") and ends lines with U+2010,
# U+2010 is the producer's hyphenation mark; typed inside a line, it is the document's.
MARKS_LAYOUT = ("lui-même", "une ligne coupée\u2010")
TYPES_U2010 = ("lui\u2010même", "vis-à-vis")


@pytest.mark.parametrize(("before", "after", "others", "layout"), [
    ("pré\u2010", "senté en conseil", MARKS_LAYOUT, True),
    ("pré\u2010", "senté en conseil", TYPES_U2010, False),  # U+2010 typed in the document
    ("pré-", "senté en conseil", MARKS_LAYOUT, False),  # the typed hyphen, not the mark
    ("peut\u2010", "être", MARKS_LAYOUT, False),  # a second part stays a compound
])
def test_line_end_u2010_as_the_producers_mark(
        before: str, after: str, others: tuple[str, ...], layout: bool) -> None:
    assert _joined(before, after, *others) is layout


@pytest.mark.parametrize(("before", "marks_layout"), [
    ("lui-même et pré\u2010", True),
    ("lui\u2010même, vis-à-vis et pré\u2010", False),  # U+2010 inside a line: the document's
    ("sans trait et pré\u2010", False),  # no typed hyphen to compare with
])
def test_u2010_is_the_producers_mark_only_when_typed_hyphens_are_plain(
        before: str, marks_layout: bool) -> None:
    # "pré" is a compound's first part: only the producer's mark joins "présenté".
    assert _joined(before, "senté") is marks_layout


@pytest.mark.parametrize(("before", "after", "words", "layout"), [
    ("les inter-", "nationaux", {"internationaux"}, True),
    ("les inter-", "nationaux", set(), False),  # no evidence: "inter" may be a prefix
    ("la coopé\u2010", "ration", set(), True),
    ("sous-", "préfecture", {"sous-préfecture"}, False),
    ("les jume-", "lages", {"jume-lages"}, False),
    # An article or a pronoun is a compound's second part, never its first.
    ("cet adjoint de-", "vra travailler", set(), True),
    ("entendez-", "vous", set(), False),
    # Another form of the word printed whole: "professionnels" for "professionnelle".
    ("formation pro-", "fessionnelle", {"professionnels"}, True),
    ("des inter-", "communalités.", {"intercommunalité"}, True),
    ("inter-", "celtiques", {"intercommunalité", "internationale"}, False),
    # An elided article is not part of the word.
    ("dans l’organi-", "gramme", {"organigramme"}, True),
    ("dans l’organi-", "gramme", set(), True),
])
def test_line_end_hyphen_uses_the_documents_words(
        before: str, after: str, words: set[str], layout: bool) -> None:
    assert _joined(before, after, *sorted(words)) is layout


def test_table_row_broken_in_both_columns_by_the_page() -> None:
    """Q3's row starts at a page's foot: its question and its answer both go on under
    the repeated header row. One row: the answers do not run into each other."""
    from tests.fixtures.pdf_table_cases import SPLIT_QUESTION_EXPECTED

    path = PDF_DIR / "lo_table_split_question.pdf"
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    assert {a.question: a.text for a in result.answers} == SPLIT_QUESTION_EXPECTED
    assert "question_missing" not in {i.code.value for i in result.issues}


def test_tex_ligatures_without_a_tounicode_map_become_letters() -> None:
    """pdfLaTeX, T1 fonts, no ToUnicode: PDFium gives ff/fi/fl/ffi/ffl as the codes
    0x1B-0x1F of the TeX encoding ("e cace" before)."""
    from tests.fixtures.pdf_tex_cases import TEX_EXPECTED

    path = PDF_DIR / "pdflatex_t1_no_tounicode.pdf"
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    assert {a.question: a.text for a in result.answers} == TEX_EXPECTED


def test_dashes_typed_before_an_answer_are_kept_as_typed() -> None:
    lines: list[tuple[float, float, list[Piece]]] = [
        (72, 760, ["-Oui, nous le ferons."]),
        (72, 730, ["\u2013 Non, pas encore."]),
        (72, 700, ["- Peut-être."]),
    ]
    blocks = read_pdf_pages(mapped_text_pdf([lines], size=11), name="x.pdf").document.blocks
    assert [(b.list_label, b.text) for b in blocks] == [
        (None, "-Oui, nous le ferons."), ("\u2013", "Non, pas encore."), ("-", "Peut-être.")]


def test_no_generated_space_after_a_no_break_space() -> None:
    """Chromium stretches a justified line's NBSP before « ? »; PDFium adds a space of
    its own for the gap: the text keeps the NBSP only."""
    path = PDF_DIR / "chromium_no_spacing_blank_last.pdf"
    texts = [b.text for b in read_pdf_pages(path.read_bytes(), name="x.pdf").document.blocks]
    assert not [t for t in texts if "\u00a0 " in t]
    # (The closing runs on in the same paragraph here: locate splits it.)
    assert any("de la collectivité\u00a0? Merci de nous" in t for t in texts)


def test_bullets_drawn_as_shapes_make_list_items() -> None:
    """Chromium and wkhtmltopdf draw a list's bullets as small filled shapes, not as
    characters: a dot left of an indented line, at its x-height, is its bullet. A
    stroked square as tall as the text (a check box) and a dot inside a line are not."""
    lines = [(72, 700, "Oui :"), (90, 686, "un module de formation ;"),
             (90, 672, "des voyages d'etude."),
             (90, 640, "Oui"), (72, 620, "La note . finale est longue.")]
    boxes = [(80, 688, 3.8, 3.8, True), (80, 674, 3.8, 3.8, True),
             (76, 639, 9, 9, False), (90, 622, 3, 3, True)]
    blocks = read_pdf_pages(text_pages_pdf([lines], boxes=boxes), name="x.pdf").document.blocks
    assert [(b.list_label, b.text) for b in blocks] == [
        (None, "Oui :"), ("-", "un module de formation ;"), ("-", "des voyages d'etude."),
        (None, "Oui"), (None, "La note . finale est longue.")]


def test_justified_paragraph_ends_where_a_sentence_ends_short_of_the_margin() -> None:
    """In justified text every line of a paragraph but its last reaches the margin: a
    sentence ending an em or more short of it ends the paragraph, though the next
    paragraph's first word would not have fitted after it (at a page break too)."""
    page_1: list[TypedLine] = [
        (f"Ligne pleine {n} du paragraphe justifie", 72, 700 - 13 * n, 523) for n in range(5)]
    page_1.append(("et le rendra public.", 72, 635, 523 - 26))
    page_2: list[TypedLine] = [
        ("Nous souhaitons enfin que chaque adjoint dispose", 72, 760, 523),
        ("d'un budget.", 72, 747, 200)]
    texts = [b.text for b in _typed(page_1, page_2).blocks]
    assert len(texts) == 2
    assert texts[0].startswith("Ligne pleine 0") and texts[0].endswith("le rendra public.")
    assert texts[1] == "Nous souhaitons enfin que chaque adjoint dispose d'un budget."


def test_actual_text_stands_for_what_the_text_layer_lacks() -> None:
    """A tagged PDF's ActualText (LibreOffice's emoji drawn by a fallback font without a
    Unicode map; PDFium's own reading of it mangles characters outside the BMP) is read
    where the text layer has nothing, in its place on the line; over characters the
    text layer holds, it is not added again."""
    thumb = "\U0001f44d".encode("utf-16-be").hex().encode()
    content = (b"/Span <</ActualText <feff" + thumb + b">>> BDC "
               b"0 g 96 700 8 8 re f EMC\n"
               b"/Span <</ActualText <feff004e006f006e>>> BDC "
               b"BT /F1 11 Tf 72 600 Td (Non) Tj ET EMC\n")
    lines = [(72, 700, "Oui"), (110, 700, ": nous le ferons.")]
    blocks = read_pdf_pages(text_pages_pdf([lines], content=content), name="x.pdf").document.blocks
    assert [b.text for b in blocks] == ["Oui \U0001f44d : nous le ferons.", "Non"]


def _word_like_reply() -> list[tuple[float, float, str]]:
    """A reply as Word's « Enregistrer au format PDF » lays it out: each question a
    bullet glyph at the margin and its text at the hanging indent (the tab between them
    is a gap, not a character), numbered items "1." + tab, plain answers at the margin."""
    answers = {
        "Q1": ["Oui, sans hesitation."],
        "Q2": ["Oui :", ("1.", "un adjoint dedie a l'action internationale ;"),
               ("2.", "un budget propre.")],
        "Q3": ["Non, pas encore."],
        "Q4": ["Oui."],
        "Q5": ["Oui, par des panels citoyens."],
    }
    lines: list[tuple[float, float, str]] = []
    y = 780.0
    for question in load_questionnaire().questions:
        words = question.text.replace("’", "'").split()
        wrapped: list[str] = []
        for word in words:
            if wrapped and len(wrapped[-1]) + len(word) < 70:
                wrapped[-1] += f" {word}"
            else:
                wrapped.append(word)
        lines.append((72, y, "\u2022"))
        for part in wrapped:
            lines.append((90, y, part))
            y -= 13
        y -= 6
        for answer in answers[question.id]:
            if isinstance(answer, tuple):
                lines += [(72, y, answer[0]), (90, y, answer[1])]
            else:
                lines.append((72, y, answer))
            y -= 13
        y -= 6
    return lines


def test_word_like_pdf_reads_bullets_and_numbers_followed_by_a_tab(tmp_path: Path) -> None:
    # "1." in Helvetica leaves 0.29 em between the ink of "1" and ".": read whole, from
    # the glyphs' advances, it stays the item's number.
    path = tmp_path / "word.pdf"
    path.write_bytes(text_pages_pdf([_word_like_reply()]))
    result = extract_file(InputFile(path=path, display="word.pdf"), MATCHER)
    answers = {a.question: a.text for a in result.answers}
    assert answers == {
        "Q1": "Oui, sans hesitation.",
        "Q2": "Oui :\n1. un adjoint dedie a l'action internationale ;\n2. un budget propre.",
        "Q3": "Non, pas encore.", "Q4": "Oui.", "Q5": "Oui, par des panels citoyens."}


@pytest.mark.parametrize(("shown", "text"), [
    # Ink far apart, advances touching: one word. "1." in Helvetica leaves more than a
    # quarter of the size between the ink of "1" and "." (« Bonj our » likewise).
    (b"(Article 1. Oui)", "Article 1. Oui"),
    # Advances 0.1 em apart, no space drawn (TeX), too close for PDFium to add one, the
    # ink more than a quarter of the size apart: two words.
    (b"[(Article 1) -100 (. Oui)]", "Article 1 . Oui"),
    # (Advances unknown, the ink decides: ActualText's characters, in
    # test_actual_text_stands_for_what_the_text_layer_lacks.)
])
def test_word_spaces_from_the_glyphs_advances(shown: bytes, text: str) -> None:
    operator = b"TJ" if shown.startswith(b"[") else b"Tj"
    content = b"BT /F1 11 Tf 72 700 Td %s %s ET\n" % (shown, operator)
    blocks = read_pdf_pages(text_pages_pdf([[]], content=content), name="x.pdf").document.blocks
    assert [b.text for b in blocks] == [text]
