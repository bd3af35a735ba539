"""Characters of the symbol fonts (Symbol, Wingdings, Webdings) as Unicode text.

Word's Insert → Symbol writes `<w:sym w:font="Symbol" w:char="F0AE"/>`: a code point of
the font's own encoding, shifted into the private-use area (F020-F0FF; some producers
write 00xx), that means nothing without the font. Reading it as text needs the font's
table. Only what a reply plausibly holds is mapped (arrows, bullets, check marks and
boxes, mathematical signs, Greek letters); an unknown one becomes a visible placeholder
(`placeholder`) so that nothing typed vanishes silently.
"""

from __future__ import annotations

# Adobe's Symbol encoding (the font Word calls "Symbol"), code 0x20-0xFE -> Unicode, as
# published by Adobe ("Adobe Symbol Encoding to Unicode", symbol.txt, also distributed by
# the Unicode Consortium as MAPPINGS/VENDORS/ADOBE/symbol.txt). Glyph pieces that Adobe
# maps to its corporate private-use area (radical extender, bracket and brace pieces,
# serif/sans ®©™) are given their nearest standard character. 0x7F-0x9F and 0xF0 (Apple
# logo on a Mac) are undefined.
_SYMBOL_ROWS = {
    0x20: " !\u2200#\u2203%&\u220b()\u2217+,\u2212./",
    0x30: "0123456789:;<=>?",
    0x40: "\u2245\u0391\u0392\u03a7\u0394\u0395\u03a6\u0393\u0397\u0399\u03d1\u039a\u039b"
          "\u039c\u039d\u039f",
    0x50: "\u03a0\u0398\u03a1\u03a3\u03a4\u03a5\u03c2\u03a9\u039e\u03a8\u0396[\u2234]"
          "\u22a5_",
    0x60: "\u203e\u03b1\u03b2\u03c7\u03b4\u03b5\u03c6\u03b3\u03b7\u03b9\u03d5\u03ba\u03bb"
          "\u03bc\u03bd\u03bf",
    0x70: "\u03c0\u03b8\u03c1\u03c3\u03c4\u03c5\u03d6\u03c9\u03be\u03c8\u03b6{|}\u223c",
    0xA0: "\u20ac\u03d2\u2032\u2264\u2044\u221e\u0192\u2663\u2666\u2665\u2660\u2194\u2190"
          "\u2191\u2192\u2193",
    0xB0: "\u00b0\u00b1\u2033\u2265\u00d7\u221d\u2202\u2022\u00f7\u2260\u2261\u2248\u2026"
          "\u23d0\u23af\u21b5",
    0xC0: "\u2135\u2111\u211c\u2118\u2297\u2295\u2205\u2229\u222a\u2283\u2287\u2284\u2282"
          "\u2286\u2208\u2209",
    0xD0: "\u2220\u2207\u00ae\u00a9\u2122\u220f\u221a\u22c5\u00ac\u2227\u2228\u21d4\u21d0"
          "\u21d1\u21d2\u21d3",
    0xE0: "\u25ca\u2329\u00ae\u00a9\u2122\u2211\u239b\u239c\u239d\u23a1\u23a2\u23a3\u23a7"
          "\u23a8\u23a9\u23aa",
    0xF0: "\0\u232a\u222b\u2320\u23ae\u2321\u239e\u239f\u23a0\u23a4\u23a5\u23a6\u23ab"
          "\u23ac\u23ad",
}
SYMBOL: dict[int, str] = {
    row + i: ch for row, chars in _SYMBOL_ROWS.items() for i, ch in enumerate(chars) if ch != "\0"
}

# Wingdings: bullets, boxes, check marks, arrows, circled digits, a few pictograms.
# Read from the Wingdings character chart (Microsoft's font; Unicode's own mapping of it
# came with Unicode 7.0); where the exact glyph has only a rarely displayed code point,
# its usual meaning is given instead (Wingdings 0xA8, a white square used as a tick box,
# is "☐"; wide-headed arrows are plain arrows).
WINGDINGS: dict[int, str] = {
    0x21: "\u270f", 0x22: "\u2702", 0x23: "\u2701", 0x28: "\u260e", 0x29: "\u2706",
    0x2A: "\u2709", 0x3E: "\u2707", 0x3F: "\u270d", 0x41: "\u270c", 0x43: "\U0001f44d",
    0x44: "\U0001f44e", 0x45: "\u261c", 0x46: "\u261e", 0x47: "\u261d", 0x48: "\u261f",
    0x4A: "\u263a", 0x4B: "\U0001f610", 0x4C: "\u2639", 0x4E: "\u2620", 0x51: "\u2708",
    0x52: "\u263c", 0x54: "\u2744", 0x56: "\u271e", 0x58: "\u2720", 0x59: "\u2721",
    0x5A: "\u262a", 0x5B: "\u262f", 0x5D: "\u2638",
    0x6C: "\u25cf", 0x6D: "\u274d", 0x6E: "\u25a0", 0x6F: "\u25a1", 0x71: "\u2751",
    0x72: "\u2752", 0x73: "\u2b27", 0x74: "\u29eb", 0x75: "\u25c6", 0x76: "\u2756",
    0x77: "\u2b25", 0x78: "\u2327", 0x7A: "\u2318",
    **{0x80 + i: ch for i, ch in enumerate("⓪①②③④⑤⑥⑦⑧⑨⑩⓿❶❷❸❹❺❻❼❽❾❿")},
    0x9E: "\u00b7", 0x9F: "\u2022", 0xA0: "\u25aa", 0xA1: "\u25cb", 0xA4: "\u25c9",
    0xA7: "\u25aa", 0xA8: "\u2610", 0xAA: "\u2726", 0xAB: "\u2605", 0xAC: "\u2736",
    0xAD: "\u2734", 0xAE: "\u2739", 0xAF: "\u2735", 0xB5: "\u272a", 0xB6: "\u2730",
    0xD5: "\u232b", 0xD6: "\u2326", 0xD8: "\u27a2",
    0xDF: "\u2190", 0xE0: "\u2192", 0xE1: "\u2191", 0xE2: "\u2193", 0xE7: "\u2190",
    0xE8: "\u2192", 0xE9: "\u2191", 0xEA: "\u2193", 0xEF: "\u21e6", 0xF0: "\u21e8",
    0xF1: "\u21e7", 0xF2: "\u21e9", 0xF3: "\u2b04", 0xF4: "\u21f3",
    0xFB: "\u2717", 0xFC: "\u2713", 0xFD: "\u2612", 0xFE: "\u2611",
}

# Wingdings 2: its check marks and boxes (Word's "Insert → Symbol" tick boxes), bullets
# and circled digits, from the Wingdings 2 character chart.
WINGDINGS_2: dict[int, str] = {
    0x4F: "\u2717", 0x50: "\u2713", 0x51: "\u2612", 0x52: "\u2611", 0x53: "\u2612",
    0x54: "\u2612",
    **{0x69 + i: ch for i, ch in enumerate("⓪①②③④⑤⑥⑦⑧⑨⑩⓿❶❷❸❹❺❻❼❽❾❿")},
    0x95: "\u2022", 0x96: "\u25cf", 0x97: "\u25cf", 0x98: "\u2b24", 0x9F: "\u25fe",
    0xA0: "\u25a0", 0xA1: "\u25fc", 0xA2: "\u2b1b", 0xA3: "\u2610", 0xA8: "\u25a3",
    0xAE: "\u25c6", 0xAF: "\u25c7", 0xB8: "\u25ca", 0xF8: "\u203b", 0xF9: "\u2042",
}

# Webdings: the few signs a reply may use (tick, cross, box, triangles).
WEBDINGS: dict[int, str] = {
    0x33: "\u25c0", 0x34: "\u25b6", 0x35: "\u25b2", 0x36: "\u25bc", 0x61: "\u2714",
    0x63: "\u25a1", 0x67: "\u25a0", 0x69: "\u2139", 0x6E: "\u25cf", 0x72: "\u2717",
}

_TABLES: dict[str, dict[int, str]] = {
    "symbol": SYMBOL,
    "wingdings": WINGDINGS,
    "wingdings 2": WINGDINGS_2,
    "webdings": WEBDINGS,
}
# A symbol font we know by name but whose characters are not mapped (Wingdings 3: arrows).
_OTHER_SYMBOL_FONTS = frozenset({"wingdings 3", "marlett", "zapf dingbats", "zapfdingbats"})


def is_symbol_font(font: str | None) -> bool:
    """Whether `font` draws its own pictures for ordinary code points."""
    key = _key(font)
    return key in _TABLES or key in _OTHER_SYMBOL_FONTS


def symbol_text(font: str | None, code: int) -> str | None:
    """The Unicode text of character `code` (F0xx or 00xx) of a symbol font, or None
    when it is not known (then show `placeholder`)."""
    table = _TABLES.get(_key(font))
    if table is None:
        return None
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
    return table.get(code)


def placeholder(font: str | None, code: int) -> str:
    """What stands for a symbol that has no Unicode equivalent here: visible, and
    precise enough to find it in the document ("[symbole Wingdings F0E4]")."""
    return f"[symbole {(font or '?').strip() or '?'} {code:04X}]"


def _key(font: str | None) -> str:
    return " ".join((font or "").casefold().split())
