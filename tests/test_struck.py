"""Text printed struck through is kept, and named in a `struck_text` warning.

Word: `w:strike`/`w:dstrike` on the run, its character style or its paragraph style
(tracked deletions, `w:del`, are dropped by the reader and never reach this). PDF:
strike lines drawn across the characters by the producer (LibreOffice prints struck
runs and, changes shown, tracked deletions that way; insertions are underlined).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cuf_extract.document import Block
from cuf_extract.docx_reader import read_document
from cuf_extract.locate import Matcher, locate
from cuf_extract.models import FileResult, IssueCode, Severity
from cuf_extract.package import OoxmlPackage
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from cuf_extract.struck import struck_issues
from tests.fixtures.builder import (
    FORM,
    build_docx,
    dele,
    ins,
    p,
    questionnaire_doc,
    run,
    text_p,
)
from tests.fixtures.pdf_sources import (
    PDF_DIR,
    PDF_VARIANTS,
    STRUCK_Q3,
    UNDERLINED,
    struck_source,
)
from tests.fixtures.variants import (
    ANSWERS,
    EXPECTED,
    LETTERHEAD,
    VARIANTS,
    Variant,
    all_answers_below,
)

MATCHER = Matcher(load_questionnaire())

# A character style and a paragraph style that strike through, as Word writes them.
STRIKE_STYLES = (
    '<w:style w:type="character" w:customStyle="1" w:styleId="Barre">'
    '<w:name w:val="Barré"/><w:basedOn w:val="DefaultParagraphFont"/>'
    '<w:uiPriority w:val="1"/><w:qFormat/><w:rPr><w:strike/></w:rPr></w:style>'
    '<w:style w:type="character" w:customStyle="1" w:styleId="BarreFort">'
    '<w:name w:val="Barré fort"/><w:basedOn w:val="Barre"/><w:rPr><w:b/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Supprime">'
    '<w:name w:val="Supprimé"/><w:basedOn w:val="Normal"/><w:qFormat/>'
    '<w:rPr><w:dstrike/></w:rPr></w:style>'
)


def _extract(data: bytes, folder: Path, name: str = "réponse.docx") -> FileResult:
    path = folder / name
    path.write_bytes(data)
    return extract_file(InputFile(path=path, display=path.name), MATCHER)


def _struck(result: FileResult) -> list[tuple[str | None, str]]:
    return [(i.question, i.message) for i in result.issues if i.code is IssueCode.STRUCK_TEXT]


def _answers(result: FileResult) -> dict[str, str | None]:
    return {a.question: a.text for a in result.answers}


def _blocks(data: bytes) -> list[tuple[str, tuple[str, ...]]]:
    document = read_document(OoxmlPackage.from_bytes(data, name="x.docx"))
    return [(b.text, b.struck) for b in document.blocks if b.struck]


def test_struck_no_in_oui_non_is_kept_and_named(tmp_path: Path) -> None:
    answers = all_answers_below()
    answers["Q1"] = [p(run("Oui / ", split=False), run("Non", strike=True, split=False),
                       run(" (rayez la mention inutile)", split=False)), *answers["Q1"]]
    result = _extract(questionnaire_doc(answers), tmp_path)
    texts = _answers(result)
    # The text is kept as the document prints it: nothing lost, nothing rewritten.
    assert texts["Q1"] == "Oui / Non (rayez la mention inutile)\n" + EXPECTED["Q1"]
    assert {q: t for q, t in texts.items() if q != "Q1"} == {
        q: t for q, t in EXPECTED.items() if q != "Q1"}
    issues = [i for i in result.issues if i.code is IssueCode.STRUCK_TEXT]
    assert len(issues) == 1
    assert issues[0].question == "Q1"
    assert issues[0].severity is Severity.WARNING
    assert issues[0].message.startswith("La question 1 : du texte barré a été lu comme du "
                                        "texte : « Non » ; vérifiez la réponse")
    assert result.status.value == "warning"


def test_struck_word_in_a_multi_paragraph_answer(tmp_path: Path) -> None:
    """The strike covers runs Word split mid-word (rsids): one phrase, in its question."""
    first, second = ANSWERS["Q3"][0], "Nous proposerons un module obligatoire dès 2021."
    answers = all_answers_below()
    answers["Q3"] = [text_p(first),
                     p(run("Nous proposerons un module ", split=False),
                       run("obligatoire", strike=True, split=True),
                       run(" dès 2021.", split=False))]
    data = questionnaire_doc(answers)
    assert _blocks(data) == [(second, ("obligatoire",))]
    result = _extract(data, tmp_path)
    assert _answers(result)["Q3"] == f"{first}\n{second}"
    assert [(q, m.split(" ; ")[0]) for q, m in _struck(result)] == [
        ("Q3", "La question 3 : du texte barré a été lu comme du texte : « obligatoire »")]


def test_strike_through_character_and_paragraph_styles(tmp_path: Path) -> None:
    answers = all_answers_below()
    answers["Q2"] = [p(run("Oui, ", split=False), run("sans doute pas", rstyle="BarreFort",
                                                      split=False), run(" certainement.",
                                                                         split=False))]
    answers["Q4"] = [text_p("Nous le ferons pas.", style="Supprime"),
                     # The run says "not struck": it wins over its paragraph's style.
                     p(run("Gardé ", split=False, rpr_extra='<w:dstrike w:val="0"/>'),
                       run("supprimé", split=False), style="Supprime")]
    data = questionnaire_doc(answers, extra_styles=STRIKE_STYLES)
    assert _blocks(data) == [
        ("Oui, sans doute pas certainement.", ("sans doute pas",)),
        ("Nous le ferons pas.", ("Nous le ferons pas.",)),
        ("Gardé supprimé", ("supprimé",)),
    ]
    found = {q: m for q, m in _struck(_extract(data, tmp_path))}
    assert set(found) == {"Q2", "Q4"}
    assert "« sans doute pas »" in found["Q2"]
    assert "« Nous le ferons pas. », « supprimé »" in found["Q4"]


def test_struck_text_in_a_form_line_and_outside_the_answers(tmp_path: Path) -> None:
    """A struck word of the question's own wording is the form's text, not in any
    answer; a struck letterhead line is in the extra text: both are named, apart."""
    wording = FORM.q("Q1")
    head, tail = wording.split(" ", 1)
    questions = {"Q1": [p(run(head + " ", split=False), run(tail, strike=True, split=False),
                          style="ListParagraph", num=(1, 0))]}
    letterhead = [p(run(LETTERHEAD[0], strike=True, split=False))]
    data = questionnaire_doc(all_answers_below(), questions=questions, before_title=letterhead)
    result = _extract(data, tmp_path)
    assert _answers(result) == EXPECTED
    found = _struck(result)
    assert [q for q, _ in found] == ["Q1", None]
    assert "ligne du formulaire" in found[0][1] and f"« {tail[:59]}…" in found[0][1]
    assert "hors des réponses" in found[1][1] and f"« {LETTERHEAD[0]} »" in found[1][1]


def test_no_strike_raises_nothing(tmp_path: Path) -> None:
    answers = all_answers_below()
    # Explicitly not struck, a tracked deletion (dropped) and an insertion: nothing struck.
    answers["Q5"] = [p(run("Oui, ", split=False), dele("jamais "),
                       ins(run("toujours", split=False)),
                       run(".", split=False, rpr_extra='<w:strike w:val="0"/>'))]
    data = questionnaire_doc(answers, extra_styles=STRIKE_STYLES)
    assert _blocks(data) == []
    result = _extract(data, tmp_path)
    assert _answers(result)["Q5"] == "Oui, toujours."
    assert _struck(result) == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_word_variants_raise_no_struck_text(variant: Variant, tmp_path: Path) -> None:
    if variant.suffix != ".docx":
        pytest.skip("not a Word file")
    result = _extract(variant.build(), tmp_path, f"{variant.name}.docx")
    assert _struck(result) == []


@pytest.mark.parametrize("variant", PDF_VARIANTS, ids=lambda v: v.name)
def test_pdf_fixtures_raise_no_struck_text(variant: Variant, tmp_path: Path) -> None:
    """Table rules, footnote separators and header lines are horizontal paths too."""
    result = _extract((PDF_DIR / variant.name).read_bytes(), tmp_path, variant.name)
    assert _struck(result) == []


def _named(result: FileResult) -> dict[str | None, str]:
    """Question -> the struck words its warning quotes (« a », « b »)."""
    return {q: m.split(" ; ")[0].split(" : ", 2)[-1] for q, m in _struck(result)}


def test_pdf_struck_runs_are_named_and_underlines_are_not(tmp_path: Path) -> None:
    """LibreOffice's PDF of a reply with struck runs: the same words as from the Word
    file, the underlined word not among them."""
    result = _extract((PDF_DIR / "lo_struck.pdf").read_bytes(), tmp_path, "lo_struck.pdf")
    assert _named(result) == {"Q1": "« Non »", "Q3": "« obligatoire »"}
    word = _extract(struck_source(), tmp_path)
    assert _named(word) == _named(result)
    answers = _answers(result)
    assert answers["Q1"] == "Oui / Non (rayez la mention inutile)\n" + EXPECTED["Q1"]
    assert answers["Q2"] == f"Nous le recommanderons {UNDERLINED} à nos candidats."
    assert answers["Q3"] == f"{EXPECTED['Q3']}\n{STRUCK_Q3}"
    assert all(UNDERLINED not in message for _, message in _struck(result))


def test_pdf_printed_tracked_changes_name_the_deleted_words(tmp_path: Path) -> None:
    """Tracked changes shown, LibreOffice prints the deletions struck through (kept in
    the text: the PDF is read as printed) and the insertions underlined (not named)."""
    result = _extract((PDF_DIR / "lo_tracked_changes.pdf").read_bytes(), tmp_path,
                      "lo_tracked_changes.pdf")
    answers = _answers(result)
    assert answers["Q2"] == "Nous ne proposerons pas systématiquement la création de ce poste."
    named = _named(result)
    assert named == {
        "Q2": "« ne », « pas »",
        "Q3": "« Ce module existe depuis 2017. »",
        # A fragment of the question deleted: the form's line, not the answer.
        "Q4": "« (conseils municipaux ou assemblées de quartier) »",
        "Q5": "« Ce point reste à discuter en interne. »",
    }
    q4 = next(m for q, m in _struck(result) if q == "Q4")
    assert "ligne du formulaire" in q4
    assert all("systématiquement" not in message for _, message in _struck(result))


def test_struck_choice_in_a_derived_forms_instruction(tmp_path: Path) -> None:
    """« Oui / Non (rayez la mention inutile) » is a line of the campaign's form: struck
    as printed, it stays template (the answer is missing) and the warning says which
    mention was struck, under which question."""
    from cuf_extract.derive import derive_questionnaire
    from tests.fixtures.forms import D_YES_NO, FORM_D, form_d_body

    form = read_document(OoxmlPackage.from_bytes(FORM_D.build(), name=FORM_D.name),
                         formatting=True)
    matcher = Matcher(derive_questionnaire(form.blocks, name=FORM_D.name).questionnaire)
    struck_line = p(run("Oui / ", split=False), run("Non", strike=True, split=False),
                    run(" (rayez la mention inutile)", split=False))
    reply = build_docx(form_d_body(lines={"q1-yes-no": ""}, answers={
        1: [struck_line], 2: [text_p("La jeunesse.")], 3: [text_p("Oui.")]}))
    path = tmp_path / "réponse.docx"
    path.write_bytes(reply)
    result = extract_file(InputFile(path=path, display=path.name), matcher)
    assert _answers(result) == {"Q1": None, "Q2": "La jeunesse.", "Q3": "Oui."}
    found = _struck(result)
    assert [q for q, _ in found] == ["Q1"]
    assert found[0][1].startswith(
        f"La question 1 : du texte barré dans une ligne du formulaire (« {D_YES_NO} »), "
        "qui n’est pas reprise dans la réponse : « Non » ;")
    assert IssueCode.MISSING_ANSWER in {i.code for i in result.issues}


# -- judged where locate put each block ------------------------------------------------


def _where(issues: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """Each struck_text warning as (question, where: answer, form line or outside)."""
    def where(message: str) -> str:
        if "hors des réponses" in message:
            return "outside"
        return "form" if "ligne du formulaire" in message else "answer"
    return [(q, where(m)) for q, m in issues]


def _struck_on_blocks(blocks: list[Block], matcher: Matcher) -> list[tuple[str | None, str]]:
    issues = struck_issues(blocks, matcher, locate(blocks, matcher))
    return _where([(i.question, i.message) for i in issues])


def _reply_blocks(answers: dict[int, str], after: list[Block] | None = None) -> list[Block]:
    q = load_questionnaire()
    blocks = [Block(q.title), *(Block(t) for t in q.intro), Block(q.lead_in)]
    for n, question in enumerate(q.questions, start=1):
        blocks += [Block(question.text), Block(answers.get(n, f"Réponse {n}."))]
    return [*blocks, *(Block(t) for t in (*q.closing, *q.contact)), *(after or [])]


def test_a_struck_piece_of_the_wrapped_title_is_the_forms() -> None:
    """A PDF wraps the form's title elsewhere: its pieces are the form's text (locate's
    title pieces), not text outside the answers."""
    q = load_questionnaire()
    pieces = ["ACTION INTERNATIONALE DES COLLECTIVITÉS",
              "TERRITORIALES : QUELLE PRISE EN COMPTE À L’OCCASION",
              "DES ÉLECTIONS MUNICIPALES ?"]
    blocks = _reply_blocks({})[1:]
    blocks[:0] = [Block(pieces[0]), Block(pieces[1]),
                  Block(pieces[2], struck=("DES ÉLECTIONS",))]
    assert locate(blocks, MATCHER).extra_text == ()
    assert q.title.startswith("ACTION")
    assert _struck_on_blocks(blocks, MATCHER) == [(None, "form")]


def test_struck_text_after_the_closing_is_outside_even_if_an_answer_says_the_same() -> None:
    """A line after the form's closing is extra text, whatever an answer contains."""
    blocks = _reply_blocks({5: "Oui."}, after=[Block("Oui.", struck=("Oui.",))])
    located = locate(blocks, MATCHER)
    assert located.answers["Q5"] == "Oui." and "Oui." in located.extra_text
    assert _struck_on_blocks(blocks, MATCHER) == [(None, "outside")]


def test_a_struck_sub_point_kept_as_the_choice_is_in_the_answer() -> None:
    """A reply that kept one of a question's sub-points (deleting the others) answers
    with it: struck there, it is struck in the answer, not in a form line."""
    from cuf_extract.derive import derive_questionnaire

    def form(choices: tuple[str, ...]) -> bytes:
        return build_docx([text_p("Formulaire", style="Title"),
                           text_p("1. Votre collectivité est :"),
                           *(text_p(c) for c in choices),
                           text_p("2. Coopérez-vous ?"), text_p("Merci.")])

    choices = ("a) une commune ;", "b) un département ;", "c) une région.")
    blank = read_document(OoxmlPackage.from_bytes(form(choices), name="f.docx"))
    matcher = Matcher(derive_questionnaire(blank.blocks, name="f.docx").questionnaire)
    reply = list(read_document(OoxmlPackage.from_bytes(form(choices[1:2]), name="r.docx"))
                 .blocks)
    at = next(i for i, b in enumerate(reply) if b.text == choices[1])
    reply[at] = Block(choices[1], struck=("un département",))
    assert locate(reply, matcher).answers["Q1"] == choices[1]
    assert _struck_on_blocks(reply, matcher) == [("Q1", "answer")]
