"""Sanity tests of the fixture builder itself (not of the extractor)."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from lxml import etree

try:  # project root importable (`python -m pytest`, or pytest `pythonpath = ["."]`)
    from tests.fixtures import builder as b
    from tests.fixtures.variants import EXTERNAL, EXTERNAL_ODT, VARIANTS, Variant
except ModuleNotFoundError:  # plain `pytest`: only tests/ is on sys.path (rootdir-relative)
    from fixtures import builder as b  # type: ignore[no-redef]
    from fixtures.variants import (  # type: ignore[no-redef]
        EXTERNAL,
        EXTERNAL_ODT,
        VARIANTS,
        Variant,
    )

W = b.NS["w"]
MC = b.NS["mc"]
NSMAP = {"w": W, "mc": MC}

REQUIRED_PARTS = {
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/styles.xml",
    "word/numbering.xml",
    "word/settings.xml",
    "docProps/core.xml",
    "docProps/app.xml",
}


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _visible_lines(data: bytes) -> list[str]:
    """A crude reading of the body: one string per paragraph, as Word would display it.

    Skips deleted text, moved-away text, VML fallbacks and content-control
    placeholders; `w:br` -> "\\n", `w:tab` -> "\\t". Good enough to check that
    the expected answers of the variants are really in the documents.
    """
    root = etree.fromstring(_zip(data).read("word/document.xml"))
    skip = {f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{MC}}}Fallback", f"{{{W}}}instrText",
            f"{{{W}}}delText"}
    lines = []
    for para in root.iter(f"{{{W}}}p"):
        if any(a.tag in skip for a in para.iterancestors()):
            continue
        parts = []
        for el in para.iter():
            if el is not para and el.tag == f"{{{W}}}p":
                continue
            anc = list(el.iterancestors())
            if any(a.tag in skip for a in anc) or el.tag in skip:
                continue
            # text of nested paragraphs (text boxes) belongs to those paragraphs
            if el is not para and next(a for a in anc if a.tag == f"{{{W}}}p") is not para:
                continue
            if el.tag == f"{{{W}}}t":
                parts.append(el.text or "")
            elif el.tag == f"{{{W}}}br":
                parts.append("\n")
            elif el.tag == f"{{{W}}}tab" and el.getparent().tag == f"{{{W}}}r":
                parts.append("\t")
        lines.append("".join(parts))
    return lines


ALL = VARIANTS
EXTERNAL_DOCX = [v for v in EXTERNAL if v.suffix == ".docx"]


@pytest.mark.parametrize("variant", ALL, ids=lambda v: v.name)
def test_package_is_valid(variant: Variant) -> None:
    data = variant.build()
    zf = _zip(data)
    assert zf.testzip() is None
    names = set(zf.namelist())
    assert names >= REQUIRED_PARTS
    assert zf.namelist()[0] == "[Content_Types].xml"
    for info in zf.infolist():
        assert info.compress_type == zipfile.ZIP_DEFLATED
        etree.fromstring(zf.read(info.filename))  # well formed
    rels = etree.fromstring(zf.read("word/_rels/document.xml.rels"))
    for rel in rels:
        if rel.get("TargetMode") != "External":
            assert "word/" + rel.get("Target") in names
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs  # python-docx opens it


@pytest.mark.parametrize("variant", ALL, ids=lambda v: v.name)
def test_builds_are_deterministic(variant: Variant) -> None:
    assert variant.build() == variant.build()


# Symbols are not text in the XML (w:sym holds a font's code): their variant is checked
# against the symbol tables by tests/test_symbols.py and tests/test_variants.py.
PLAIN_TEXT = [v for v in ALL if v.name != "symbols_inserted"]


@pytest.mark.parametrize("variant", PLAIN_TEXT + EXTERNAL_DOCX, ids=lambda v: v.name)
def test_expected_answers_are_in_the_document(variant: Variant) -> None:
    text = "\n".join(_visible_lines(variant.build()))
    assert set(variant.answers) == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    for answer in variant.answers.values():
        if answer is None:
            continue
        for line in answer.split("\n"):
            bare = re.sub(r"^\s*(?:- |\d+\. )", "", line)
            bare = re.sub(r"\[\d+\]", "", bare)  # note reference marks are not text
            assert bare in text, (variant.name, bare)


def test_template_has_the_whole_form() -> None:
    lines = [line.strip() for line in _visible_lines(b.template_docx())]
    form = b.FORM
    assert lines[0] == form.title
    for expected in (*form.intro, form.lead_in, *form.closing, *form.contact):
        assert expected in lines
    for _, question in form.questions:
        assert question in lines
    doc = docx.Document(io.BytesIO(b.template_docx()))
    questions = set(dict(form.questions).values())
    styles = [para.style.name for para in doc.paragraphs if para.text in questions]
    assert styles == ["List Paragraph"] * 5


def test_word_like_markup() -> None:
    xml = _zip(b.template_docx()).read("word/document.xml").decode()
    assert 'mc:Ignorable="w14 ' in xml
    assert 'w:name="_GoBack"' in xml
    assert '<w:proofErr w:type="spellStart"/>' in xml
    assert re.search(
        r'<w:p w14:paraId="\w+" w14:textId="\w+" w:rsidR="\w+" w:rsidRDefault="\w+" '
        r'w:rsidP="\w+"',
        xml,
    )
    assert "<w:sectPr" in xml
    core = _zip(b.template_docx()).read("docProps/core.xml").decode()
    assert 'xsi:type="dcterms:W3CDTF"' in core


def test_runs_are_split_but_text_is_kept() -> None:
    text = "Entendez-vous inciter les candidats aux municipales ?"
    xml = b.run(text)
    assert xml.count("<w:r ") >= 2
    root = etree.fromstring(f'<w:p xmlns:w="{W}">{xml}</w:p>')
    assert "".join(root.itertext()) == text


def test_textbox_is_written_twice() -> None:
    box = b.textbox(b.text_p("Dans la boîte", split=False))
    assert box.count("Dans la boîte") == 2
    assert 'mc:Choice Requires="wps"' in box and "<v:textbox" in box


def test_placeholder_content_control() -> None:
    xml = b.sdt_block(placeholder=True)
    assert "<w:showingPlcHdr/>" in xml and b.PLACEHOLDER_TEXT in xml


def test_numbering_kinds() -> None:
    root = etree.fromstring(b.numbering_xml().encode())
    fmts = {
        a.get(f"{{{W}}}abstractNumId"): [
            f.get(f"{{{W}}}val") for f in a.iterfind(".//w:numFmt", NSMAP)
        ]
        for a in root.iterfind("w:abstractNum", NSMAP)
    }
    assert fmts == {"0": ["bullet"] * 3, "1": ["decimal"] * 3}
    nums = {n.get(f"{{{W}}}numId"): n.find("w:abstractNumId", NSMAP).get(f"{{{W}}}val")
            for n in root.iterfind("w:num", NSMAP)}
    assert nums["1"] == "0" and nums["2"] == "1"


def test_optional_parts() -> None:
    data = b.build_docx(
        [b.p("Texte", b.footnote_ref(1)), b.p(b.comment_range("commenté", 0))],
        header=[b.text_p("En-tête")], footer=[b.text_p("Pied")],
        comments={0: "Un commentaire"}, footnotes={1: "Une note"},
    )
    names = set(_zip(data).namelist())
    assert {"word/header1.xml", "word/footer1.xml", "word/comments.xml",
            "word/footnotes.xml"} <= names
    notes = _zip(data).read("word/footnotes.xml").decode()
    assert 'w:type="separator" w:id="-1"' in notes
    assert 'w:type="continuationSeparator" w:id="0"' in notes
    doc = _zip(data).read("word/document.xml").decode()
    assert "<w:headerReference" in doc and "<w:footerReference" in doc


@pytest.mark.parametrize("variant", EXTERNAL + EXTERNAL_ODT, ids=lambda v: v.name)
def test_external_fixture_present(variant: Variant) -> None:
    data = variant.build()
    assert data, variant.name
    if variant.suffix in {".docx", ".odt"}:
        assert _zip(data).testzip() is None
    if variant.suffix == ".docx":
        docx.Document(io.BytesIO(data))
