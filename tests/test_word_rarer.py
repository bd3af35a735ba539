"""Word's rarer shapes: Strict Open XML, drop caps, replies sharing their form's styles;
and a damaged PDF named as such.

A .docx saved in Word's « Document Word Strict » format keeps the package layer (content
types, relationships' own namespace, core properties) but renames every vocabulary
(`http://purl.oclc.org/ooxml/...`) and relationship type; it must read exactly like the
transitional file. The Strict copies are made here from builder replies, the way Word's
Strict files are written (checked against a Strict .docx saved by Word: same content
types, Strict relationship types in every .rels, Strict namespaces in every part,
`w:conformance="strict"`, measures in points).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from cuf_extract.docx_reader import read_document
from cuf_extract.inputs import FileKind, explain, sniff
from cuf_extract.locate import Matcher
from cuf_extract.models import FileResult
from cuf_extract.package import OoxmlPackage
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.builder import build_docx, empty_p, questionnaire_doc, table, text_p
from tests.fixtures.pdf_sources import PDF_DIR
from tests.fixtures.variants import (
    ANSWERS,
    BY_NAME,
    EXPECTED,
    RESPONDENT_CORE,
    all_answers_below,
    below,
)

MATCHER = Matcher(load_questionnaire())

# Written out here, independently of the reader's table.
TRANSITIONAL_TO_STRICT = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main":
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/officeDocument/2006/math":
        "http://purl.oclc.org/ooxml/officeDocument/math",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes":
        "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
    "http://schemas.openxmlformats.org/drawingml/2006/main":
        "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing":
        "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/drawingml/2006/picture":
        "http://purl.oclc.org/ooxml/drawingml/picture",
}
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
TRANSITIONAL_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def strict_copy(docx: bytes) -> bytes:
    """`docx` as Word saves it in the Strict format."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith((".xml", ".rels")) and info.filename != "[Content_Types].xml":
                text = data.decode("utf-8")
                # Relationship types first (they start with a namespace's text).
                text = text.replace(TRANSITIONAL_REL + "extended-properties",
                                    STRICT_REL + "extendedProperties")
                text = text.replace(TRANSITIONAL_REL, STRICT_REL)
                for old, new in TRANSITIONAL_TO_STRICT.items():
                    text = text.replace(f'"{old}"', f'"{new}"')
                # Strict measures in points, start/end for left/right.
                text = re.sub(r'(<w:ind\b[^>]*?) w:left="(\d+)"',
                              lambda m: f'{m.group(1)} w:start="{int(m.group(2)) / 20:g}pt"',
                              text)
                text = re.sub(r"(<w:document\b[^>]*?)>", r'\1 w:conformance="strict">', text,
                              count=1)
                data = text.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def _extract(data: bytes, folder: Path, name: str = "reponse.docx") -> FileResult:
    path = folder / name
    path.write_bytes(data)
    return extract_file(InputFile(path=path, display=name), MATCHER)


def test_the_strict_copy_has_no_transitional_vocabulary_left() -> None:
    # The fixture itself: what the reader is given really is Strict.
    data = strict_copy(BY_NAME["answers_below_bullet"].build())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = archive.read("word/document.xml").decode()
        rels = archive.read("_rels/.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    assert "schemas.openxmlformats.org/wordprocessingml" not in document
    assert 'w:conformance="strict"' in document
    assert STRICT_REL + "officeDocument" in rels
    assert "wordprocessingml.document.main+xml" in types  # content types stay


@pytest.mark.parametrize("name", ["answers_below_bullet", "two_column_qa_table",
                                  "letterhead_signature_header", "track_changes"])
def test_a_strict_docx_reads_exactly_like_its_transitional_original(name: str,
                                                                    tmp_path: Path) -> None:
    variant = BY_NAME[name]
    original = variant.build()
    strict = strict_copy(original)
    read_original = read_document(OoxmlPackage.from_bytes(original))
    read_strict = read_document(OoxmlPackage.from_bytes(strict))
    assert read_strict == read_original
    assert read_strict.blocks  # not the silent empty reading of before
    result = _extract(strict, tmp_path)
    assert {a.question: a.text for a in result.answers} == variant.answers
    assert not {"unreadable", "questions_not_found"} & {i.code.value for i in result.issues}


def test_a_strict_docx_keeps_its_properties(tmp_path: Path) -> None:
    original = questionnaire_doc(all_answers_below(), core=RESPONDENT_CORE, app_company="Parti X")
    strict = read_document(OoxmlPackage.from_bytes(strict_copy(original)))
    assert strict.properties.company == "Parti X"
    assert strict.properties.last_modified_by == RESPONDENT_CORE["last_modified_by"]


def test_a_document_in_an_unknown_vocabulary_is_an_error_not_an_empty_reply(
        tmp_path: Path) -> None:
    data = BY_NAME["answers_below_bullet"].build()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                part = part.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                    b"urn:example:not-wordprocessingml")
            target.writestr(info, part)
    result = _extract(out.getvalue(), tmp_path)
    codes = {i.code.value for i in result.issues}
    assert "unreadable" in codes
    message = next(i.message for i in result.issues if i.code.value == "unreadable")
    assert "Document Word (*.docx)" in message
    assert all(a.text is None for a in result.answers)


# --------------------------------------------------------------------------- drop caps


def drop_cap_p(letter: str, kind: str = "drop") -> str:
    """A drop cap as Word writes it: the letter alone in a framed paragraph."""
    return (f'<w:p><w:pPr><w:keepNext/><w:framePr w:dropCap="{kind}" w:lines="3" '
            f'w:wrap="around" w:vAnchor="text" w:hAnchor="text"/><w:spacing w:after="0" '
            f'w:line="1101" w:lineRule="exact"/><w:textAlignment w:val="baseline"/></w:pPr>'
            f'<w:r><w:rPr><w:position w:val="-9"/><w:sz w:val="148"/></w:rPr>'
            f"<w:t>{letter}</w:t></w:r></w:p>")


def test_a_drop_cap_joins_the_word_it_begins(tmp_path: Path) -> None:
    answers = all_answers_below()
    first = ANSWERS["Q1"][0]
    answers["Q1"] = [drop_cap_p(first[0]), text_p(first[1:]), *below(ANSWERS["Q1"][1:])]
    answers["Q3"] = [drop_cap_p(ANSWERS["Q3"][0][0], "margin"),
                     text_p(ANSWERS["Q3"][0][1:]), *below(ANSWERS["Q3"][1:])]
    result = _extract(questionnaire_doc(answers, core=RESPONDENT_CORE), tmp_path)
    assert {a.question: a.text for a in result.answers} == EXPECTED


def test_a_drop_cap_with_nothing_after_it_is_kept() -> None:
    blocks = read_document(OoxmlPackage.from_bytes(
        build_docx([text_p("Oui."), drop_cap_p("Z")]))).blocks
    assert [b.text for b in blocks] == ["Oui.", "Z"]


def test_a_drop_cap_before_a_table_stays_outside_it() -> None:
    grid = table([[[text_p("Question")], [text_p("Réponse")]]])
    blocks = read_document(OoxmlPackage.from_bytes(build_docx([drop_cap_p("A"), grid]))).blocks
    assert [(b.text, b.cell) for b in blocks] == [
        ("A", None), ("Question", (0, 0, 0)), ("Réponse", (0, 0, 1))]


def test_a_frame_that_is_not_a_drop_cap_stays_a_paragraph() -> None:
    blocks = read_document(OoxmlPackage.from_bytes(questionnaire_doc(
        {"Q1": [drop_cap_p("Encadré", "none"), text_p("Oui."), empty_p()]}))).blocks
    texts = [b.text for b in blocks]
    assert "Encadré" in texts and "Oui." in texts


# --------------------------------------------------------------------------- shared styles

# What the reader derives from styles.xml and numbering.xml is kept by the parts' bytes
# (the replies of a campaign share them): nothing of one document may reach another.

STRIKING_STYLE = ('<w:style w:type="character" w:customStyle="1" w:styleId="Barre">'
                  '<w:name w:val="Barré"/><w:rPr><w:strike/></w:rPr></w:style>')
PLAIN_STYLE = ('<w:style w:type="character" w:customStyle="1" w:styleId="Barre">'
               '<w:name w:val="Barré"/><w:rPr><w:b/></w:rPr></w:style>')


def _labels(data: bytes) -> list[tuple[str | None, str]]:
    blocks = read_document(OoxmlPackage.from_bytes(data)).blocks
    return [(b.list_label, b.text) for b in blocks]


def test_list_numbers_start_again_in_each_document_with_the_same_numbering() -> None:
    items = [text_p(f"Point {i}", num=(2, 0)) for i in range(1, 4)]
    first = build_docx(items)
    second = build_docx([text_p("Avant"), *items[:2]])
    expected = [("1.", "Point 1"), ("2.", "Point 2"), ("3.", "Point 3")]
    assert _labels(first) == expected
    assert _labels(second) == [(None, "Avant"), *expected[:2]]
    assert _labels(first) == expected


def test_a_style_is_read_from_each_documents_own_styles() -> None:
    typed = '<w:p><w:r><w:rPr><w:rStyle w:val="Barre"/></w:rPr><w:t>Non</w:t></w:r></w:p>'
    striking = build_docx([typed], extra_styles=STRIKING_STYLE)
    plain = build_docx([typed], extra_styles=PLAIN_STYLE)

    def struck(data: bytes) -> list[tuple[str, ...]]:
        return [b.struck for b in read_document(OoxmlPackage.from_bytes(data)).blocks]

    assert struck(striking) == [("Non",)]
    assert struck(plain) == [()]
    assert struck(striking) == [("Non",)]


# --------------------------------------------------------------------------- damaged PDFs


def _headless_pdf(tmp_path: Path) -> Path:
    data = bytearray((PDF_DIR / "lo_answers_below.pdf").read_bytes())
    data[:8] = b"\x00garbl\x00"  # the %PDF-1.x header destroyed
    path = tmp_path / "reponse.pdf"
    path.write_bytes(bytes(data))
    return path


def test_a_pdf_with_a_damaged_header_is_a_damaged_pdf(tmp_path: Path) -> None:
    path = _headless_pdf(tmp_path)
    assert sniff(path).kind is FileKind.DAMAGED_PDF
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    messages = [i.message for i in result.issues if i.code.value == "unreadable"]
    assert messages and "PDF endommagé" in messages[0]
    assert not any("fichier texte" in i.message for i in result.issues)


def test_an_uncompressed_pdf_without_its_header_is_not_a_text_file(tmp_path: Path) -> None:
    # All ASCII: before, this was « un simple fichier texte, pas un document Word ».
    body = (b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n")
    path = tmp_path / "reponse.pdf"
    path.write_bytes(body)
    assert sniff(path).kind is FileKind.DAMAGED_PDF
    code, message = explain(FileKind.DAMAGED_PDF, path.name)
    assert code.value == "unreadable" and "fichier texte" not in message


def test_a_text_file_that_mentions_objects_stays_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "reponses.txt"
    path.write_text("Réponse 1 : oui.\nNous avons 2 0 objections à formuler.\n", encoding="utf-8")
    assert sniff(path).kind is FileKind.TEXT
