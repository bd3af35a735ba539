"""Symbol-font characters (Insert -> Symbol) read as Unicode text."""

from __future__ import annotations

import pytest

from cuf_extract.docx_reader import read_document
from cuf_extract.package import OoxmlPackage
from cuf_extract.symbols import SYMBOL, is_symbol_font, placeholder, symbol_text
from tests.fixtures import builder as b


@pytest.mark.parametrize(
    ("font", "code", "expected"),
    [
        ("Symbol", 0xF0AE, "→"), ("Symbol", 0xF0AC, "←"), ("Symbol", 0xF0AD, "↑"),
        ("Symbol", 0xF0AF, "↓"), ("Symbol", 0xF0AB, "↔"), ("Symbol", 0xF0DE, "⇒"),
        ("Symbol", 0xF0DB, "⇔"), ("Symbol", 0xF0B7, "•"), ("Symbol", 0xF0B1, "±"),
        ("Symbol", 0xF0A3, "≤"), ("Symbol", 0xF0B3, "≥"), ("Symbol", 0xF0B4, "×"),
        ("Symbol", 0xF0B8, "÷"), ("Symbol", 0xF0B9, "≠"), ("Symbol", 0xF0BB, "≈"),
        ("Symbol", 0xF0A5, "∞"), ("Symbol", 0xF0BC, "…"), ("Symbol", 0xF061, "α"),
        ("Symbol", 0xF062, "β"), ("Symbol", 0xF044, "Δ"), ("Symbol", 0xF057, "Ω"),
        ("Symbol", 0xF06D, "μ"), ("Symbol", 0xF070, "π"), ("Symbol", 0xF0B0, "°"),
        ("Symbol", 0x00AE, "→"),  # some producers write 00xx
        ("symbol", 0xF0AE, "→"),  # font names are not case-sensitive
        ("Wingdings", 0xF0A8, "☐"), ("Wingdings", 0xF0FE, "☑"), ("Wingdings", 0xF0FD, "☒"),
        ("Wingdings", 0xF0FC, "✓"), ("Wingdings", 0xF0FB, "✗"), ("Wingdings", 0xF0A7, "▪"),
        ("Wingdings", 0xF0D8, "➢"), ("Wingdings", 0xF0E8, "→"), ("Wingdings", 0xF06F, "□"),
        ("Wingdings 2", 0xF050, "✓"), ("Wingdings 2", 0xF04F, "✗"), ("Wingdings 2", 0xF052, "☑"),
        ("Wingdings 2", 0xF053, "☒"), ("Wingdings 2", 0xF0A3, "☐"),
        ("Webdings", 0xF061, "✔"), ("Webdings", 0xF072, "✗"),
    ],
)
def test_known_symbols(font: str, code: int, expected: str) -> None:
    assert symbol_text(font, code) == expected


def test_symbol_table_covers_adobe_range() -> None:
    # 0x20-0x7E and 0xA0-0xFE, except 0xF0 (undefined in Adobe's encoding).
    expected = {*range(0x20, 0x7F), *range(0xA0, 0xFF)} - {0xF0}
    assert set(SYMBOL) == expected
    assert all(len(ch) == 1 for ch in SYMBOL.values())
    assert len(set(SYMBOL.values())) >= len(SYMBOL) - 6  # ®©™ come in serif and sans


def test_unknown_symbols_and_fonts() -> None:
    assert symbol_text("Wingdings", 0xF0E4) is None
    assert symbol_text("Calibri", 0xF0AE) is None
    assert is_symbol_font("Wingdings 3") and not is_symbol_font("Times New Roman")
    assert placeholder("Wingdings", 0xF0E4) == "[symbole Wingdings F0E4]"
    assert placeholder(None, 0xF0E4) == "[symbole ? F0E4]"


def _blocks(*inline: str) -> tuple[str, list[str]]:
    data = b.build_docx([b.p(*inline)])
    document = read_document(OoxmlPackage.from_bytes(data, name="x.docx"))
    return document.blocks[0].text, list(document.unknown_symbols)


def test_sym_of_an_ordinary_font_is_its_character() -> None:
    text, unknown = _blocks(b.run("caf"), b.sym("Times New Roman", "00E9"))
    assert (text, unknown) == ("café", [])


def test_unknown_symbol_is_visible_and_counted() -> None:
    text, unknown = _blocks(b.sym("Wingdings 3", "F022"), b.run(" suite"))
    assert text == "[symbole Wingdings 3 F022] suite"
    assert unknown == ["[symbole Wingdings 3 F022]"]


def test_private_use_text_in_an_ordinary_font_is_left_alone() -> None:
    text, unknown = _blocks(b.font_run("a\uf0aeb", "Calibri"))
    assert (text, unknown) == ("a\uf0aeb", [])
