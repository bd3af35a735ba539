"""A .docx package -> its text in reading order, as Word shows it.

The only module that knows WordprocessingML. It reads the XML parts directly (through
`package.OoxmlPackage`, which bounds sizes and refuses DTDs) instead of python-docx's
object model, because python-docx's `Paragraph.text` and `Document.paragraphs` miss
tracked insertions, content controls, text boxes and field results, and because
parsing only the parts we need is several times faster than loading the whole package.

What the reader does, and why:
- tracked insertions (`w:ins`, `w:moveTo`) count, deletions (`w:del`, `w:moveFrom`,
  `w:delText`) do not: we read the "all changes accepted" view and count revisions;
- content controls (`w:sdt`) are entered at every level; one that still shows its
  placeholder (`w:showingPlcHdr`) is empty; a check box (`w14:checkbox`) reads ☒ or ☐
  from its `w14:checked` state, whatever glyph font it shows;
- complex fields show their result (runs between `fldChar separate` and `end`), never
  their instruction; `w:fldSimple` shows its child runs;
- text boxes are read once (the `mc:Choice` branch of `mc:AlternateContent`, not the
  VML `mc:Fallback` copy) and come as blocks right after the paragraph anchoring them;
- tables are read cell by cell (`w:tc` elements, so merged cells are not repeated);
- list numbering comes from numbering.xml (and styles.xml when a style carries it):
  bullets and numbers are not in the text;
- text formatted as struck through (`w:strike`/`w:dstrike` on the run, its character
  style or its paragraph style) is kept, and named in `Block.struck`: a respondent may
  strike « Non » in « Oui / Non » rather than delete it, and the caller must say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

from cuf_extract import symbols
from cuf_extract.document import (
    PRIVATE_USE,
    Block,
    Comment,
    DocumentText,
    Properties,
    struck_phrases,
)

if TYPE_CHECKING:
    from lxml.etree import _Element

    from cuf_extract.package import OoxmlPackage

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# Block-level and inline elements, by Clark name.
P, R, T, TBL, TR, TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
BODY, SDT, SDT_PR, SDT_CONTENT = _w("body"), _w("sdt"), _w("sdtPr"), _w("sdtContent")
SHOWING_PLACEHOLDER = _w("showingPlcHdr")
CUSTOM_XML, SMART_TAG, HYPERLINK, FLD_SIMPLE = (
    _w("customXml"), _w("smartTag"), _w("hyperlink"), _w("fldSimple"))
DIR, BDO = _w("dir"), _w("bdo")
INS, DEL, MOVE_TO, MOVE_FROM = _w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")
FLD_CHAR = _w("fldChar")  # w:instrText and w:delText are never read: not listed
TAB, PTAB, BR, CR = _w("tab"), _w("ptab"), _w("br"), _w("cr")
NO_BREAK_HYPHEN, SYM = _w("noBreakHyphen"), _w("sym")
DRAWING, PICT, OBJECT = _w("drawing"), _w("pict"), _w("object")
TXBX_CONTENT = _w("txbxContent")
FOOTNOTE_REF, ENDNOTE_REF = _w("footnoteReference"), _w("endnoteReference")
ALT_CHUNK = _w("altChunk")
PPR, NUMPR = _w("pPr"), _w("numPr")
TRPR = _w("trPr")
TBL_HEADER = _w("tblHeader")
FRAME_PR, DROP_CAP = _w("framePr"), _w("dropCap")
RPR, RFONTS, ASCII_FONT, FONT = _w("rPr"), _w("rFonts"), _w("ascii"), _w("font")
STRIKE, DSTRIKE, RSTYLE = _w("strike"), _w("dstrike"), _w("rStyle")
# Word 2010 check-box content controls: <w:sdtPr><w14:checkbox><w14:checked w14:val="1"/>
# <w14:checkedState w14:val="2612" w14:font="MS Gothic"/>…</w14:checkbox></w:sdtPr>; the
# glyph shown is a run of the content (any font: "þ" in Wingdings is a tick), so the state
# is read from w14:checked and written as one of these two characters.
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W14_CHECKBOX, W14_CHECKED, W14_VAL = (f"{{{W14_NS}}}checkbox", f"{{{W14_NS}}}checked",
                                      f"{{{W14_NS}}}val")
CHECKED_BOX, EMPTY_BOX = "☒", "☐"
VAL, TYPE, ID, AUTHOR = _w("val"), _w("type"), _w("id"), _w("author")
MC_ALTERNATE, MC_CHOICE, MC_FALLBACK = (
    f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice", f"{{{MC_NS}}}Fallback")
M_T, M_OMATH_PARA, M_OMATH = f"{{{M_NS}}}t", f"{{{M_NS}}}oMathPara", f"{{{M_NS}}}oMath"

# Containers whose children are read as if they stood in the parent.
_INLINE_WRAPPERS = frozenset({HYPERLINK, SMART_TAG, CUSTOM_XML, FLD_SIMPLE, DIR, BDO})
_REVISION_KEPT = frozenset({INS, MOVE_TO})
_REVISION_DROPPED = frozenset({DEL, MOVE_FROM})

_PART_KINDS = {
    "header": "header",
    "footer": "footer",
    "footnotes": "footnotes",
    "endnotes": "endnotes",
    "comments": "comments",
    "numbering": "numbering",
    "styles": "styles",
}



# --------------------------------------------------------------------------- numbering


@dataclass(frozen=True, slots=True)
class _Level:
    fmt: str
    text: str
    start: int


class _Numbering:
    """List labels: numbering.xml levels plus the counters of the lists met so far."""

    def __init__(self, levels: Mapping[str, Mapping[int, _Level]],
                 style_numbering: Mapping[str, tuple[str, int]]):
        self.style_numbering = style_numbering
        self.levels = levels  # shared between documents with the same numbering.xml
        self.counters: dict[str, list[int]] = {}

    def label(self, num_id: str, ilvl: int) -> str | None:
        if num_id in ("", "0"):
            return None  # numId 0 removes the numbering a style would give
        levels = self.levels.get(num_id)
        level = levels.get(ilvl) if levels else None
        if level is None:
            return "-"  # a list we cannot describe: still show it as a list item
        if level.fmt == "none":
            return None
        counters = self.counters.setdefault(num_id, [0] * 9)
        ilvl = min(max(ilvl, 0), 8)
        counters[ilvl] = (counters[ilvl] or (level.start - 1)) + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if level.fmt == "bullet":
            return "-"

        def substitute(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k, level) if levels else level
            value = counters[k] or lv.start
            return _format_number(value, lv.fmt)

        text = re.sub(r"%([1-9])", substitute, level.text).strip()
        return text or f"{counters[ilvl]}."


def _list_levels(root: _Element) -> dict[str, dict[int, _Level]]:
    """numId -> its levels (format, text, start), from numbering.xml."""
    found: dict[str, dict[int, _Level]] = {}
    abstract: dict[str, dict[int, _Level]] = {}
    for an in root.iter(_w("abstractNum")):
        levels: dict[int, _Level] = {}
        for lvl in an.iter(_w("lvl")):
            ilvl = _int(lvl.get(_w("ilvl")), 0)
            levels[ilvl] = _Level(
                fmt=_child_val(lvl, "numFmt") or "decimal",
                text=_child_val(lvl, "lvlText") or "",
                start=_int(_child_val(lvl, "start"), 1),
            )
        abstract[an.get(_w("abstractNumId"), "")] = levels
    for num in root.iter(_w("num")):
        abstract_id = _child_val(num, "abstractNumId") or ""
        levels = dict(abstract.get(abstract_id, {}))
        for override in num.iter(_w("lvlOverride")):
            ilvl = _int(override.get(_w("ilvl")), 0)
            start = _child_val(override, "startOverride")
            if start is not None and ilvl in levels:
                lv = levels[ilvl]
                levels[ilvl] = _Level(lv.fmt, lv.text, _int(start, 1))
        found[num.get(_w("numId"), "")] = levels
    return found


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        n = value
        while n > 0:
            n, rem = divmod(n - 1, 26)
            letters = chr(ord("a") + rem) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(value)


def _roman(value: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for number, letters in numerals:
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_CLARK: dict[str, str] = {}


def _child_val(el: _Element, tag: str) -> str | None:
    """The w:val of `el`'s first w:`tag` child (called for every paragraph: kept cheap)."""
    name = _CLARK.get(tag)
    if name is None:
        name = _CLARK[tag] = _w(tag)
    child = next(el.iterchildren(name), None)  # lxml's `find` goes through ElementPath
    return None if child is None else child.get(VAL)


_T = TypeVar("_T")


def _style_numbering(root: _Element | None) -> dict[str, tuple[str, int]]:
    """Style id -> (numId, ilvl) for styles that carry numbering (directly or by basedOn)."""
    if root is None:
        return {}
    based_on: dict[str, str] = {}
    own: dict[str, tuple[str, int]] = {}
    for style in root.iter(_w("style")):
        sid = style.get(_w("styleId"), "")
        parent = _child_val(style, "basedOn")
        if parent:
            based_on[sid] = parent
        ppr = style.find(PPR)
        if ppr is not None:
            numpr = ppr.find(NUMPR)
            if numpr is not None:
                own[sid] = (_child_val(numpr, "numId") or "", _int(_child_val(numpr, "ilvl"), 0))
    return _inherited(own, based_on)


def _inherited(own: dict[str, _T], based_on: dict[str, str]) -> dict[str, _T]:
    """Each style's value: its own, else the nearest one up its basedOn chain."""
    resolved: dict[str, _T] = {}
    for sid in {*own, *based_on}:
        current: str | None = sid
        for _ in range(10):  # basedOn chains are short; stop on cycles
            if current is None:
                break
            if current in own:
                resolved[sid] = own[current]
                break
            current = based_on.get(current)
    return resolved


@dataclass(frozen=True, slots=True)
class _StyleInfo:
    name: str
    outline: int  # 0 = body text, 1-9 = heading level
    bold: bool
    italic: bool


_OFF = frozenset({"0", "false", "off"})


def _toggle(rpr: _Element | None, tag: str) -> bool | None:
    """w:b / w:i in a run's or style's properties: True, False, or None when absent."""
    if rpr is None:
        return None
    el = rpr.find(_w(tag))
    if el is None:
        return None
    return el.get(VAL) not in _OFF


def _style_info(root: _Element | None) -> dict[str, _StyleInfo]:
    """Paragraph style id -> name, heading level and emphasis (resolved through basedOn)."""
    if root is None:
        return {}
    raw: dict[str, tuple[str, str | None, int | None, bool | None, bool | None]] = {}
    for style in root.iter(_w("style")):
        if style.get(_w("type")) != "paragraph":
            continue
        ppr = style.find(PPR)
        outline = _child_val(ppr, "outlineLvl") if ppr is not None else None
        rpr = style.find(_w("rPr"))
        raw[style.get(_w("styleId"), "")] = (
            _child_val(style, "name") or "", _child_val(style, "basedOn"),
            _int(outline, 9) if outline is not None else None,
            _toggle(rpr, "b"), _toggle(rpr, "i"),
        )
    info: dict[str, _StyleInfo] = {}
    for sid, (name, _, _, _, _) in raw.items():
        outline_found: int | None = None
        bold: bool | None = None
        italic: bool | None = None
        current: str | None = sid
        for _ in range(10):  # basedOn chains are short; stop on cycles
            if current is None or current not in raw:
                break
            _, parent, own_outline, own_bold, own_italic = raw[current]
            outline_found = own_outline if outline_found is None else outline_found
            bold = own_bold if bold is None else bold
            italic = own_italic if italic is None else italic
            current = parent
        level = outline_found + 1 if outline_found is not None and outline_found < 9 else 0
        info[sid] = _StyleInfo(name, level, bool(bold), bool(italic))
    return info


def _struck_styles(root: _Element | None) -> frozenset[str]:
    """Ids of the styles (paragraph or character) whose text is struck through, directly
    or through basedOn. Toggle properties combined across style levels are not XORed:
    a style that strikes strikes."""
    if root is None:
        return frozenset()
    own: dict[str, bool] = {}
    based_on: dict[str, str] = {}
    for style in root.iter(_w("style")):
        sid = style.get(_w("styleId"), "")
        parent = _child_val(style, "basedOn")
        if parent:
            based_on[sid] = parent
        value = _strike_value(style.find(RPR))
        if value is not None:
            own[sid] = value
    if not any(own.values()):
        return frozenset()
    return frozenset(sid for sid, strikes in _inherited(own, based_on).items() if strikes)


def _strike_value(rpr: _Element | None) -> bool | None:
    """Whether run properties strike through (single or double): None when they do not say."""
    if rpr is None:
        return None
    single, double = rpr.find(STRIKE), rpr.find(DSTRIKE)
    if single is None and double is None:
        return None
    return ((single is not None and single.get(VAL) not in _OFF)
            or (double is not None and double.get(VAL) not in _OFF))


def _emphasis(p: _Element, style: _StyleInfo | None) -> tuple[bool, bool]:
    """(bold, italic): whether every visible character of the paragraph is."""
    seen = False
    bold = italic = True
    style_bold = style.bold if style is not None else False
    style_italic = style.italic if style is not None else False

    def visit(parent: _Element) -> None:
        nonlocal seen, bold, italic
        for child in parent:
            tag = child.tag
            if tag == R:
                if not any((t.text or "").strip() for t in child.iterchildren(T)):
                    continue
                seen = True
                rpr = child.find(_w("rPr"))
                run_bold = _toggle(rpr, "b")
                run_italic = _toggle(rpr, "i")
                bold = bold and (style_bold if run_bold is None else run_bold)
                italic = italic and (style_italic if run_italic is None else run_italic)
            elif tag in _INLINE_WRAPPERS or tag in _REVISION_KEPT:
                visit(child)
            elif tag == SDT:
                content = _sdt_content(child)
                if content is not None:
                    visit(content)

    visit(p)
    return (seen and bold, seen and italic)


# --------------------------------------------------------------------------- body


class _Walker:
    """Walks block and inline content in document order, collecting blocks."""

    def __init__(self, numbering: _Numbering, styles: Mapping[str, _StyleInfo] | None = None,
                 *, emphasis: bool = False, strikes: frozenset[str] | None = None):
        self.numbering = numbering
        self.styles = styles or {}
        self.emphasis = emphasis  # read bold/italic: costs a pass over each paragraph's runs
        # Struck-through styles, or None when nothing in the document strikes text (the
        # runs are then not even looked at).
        self.strikes = strikes
        self.struck_spans: list[tuple[int, int]] = []  # of the current paragraph's parts
        self.paragraph_struck = False  # its paragraph style strikes through
        self.blocks: list[Block] = []
        self.revisions = 0
        self.embedded_chunks = 0
        self.table_serial = 0
        self.note_labels: dict[tuple[str, str], str] = {}
        self.unknown_symbols: list[str] = []
        # A drop cap (« D » in its own frame) waiting for the paragraph it begins.
        self.drop_cap: Block | None = None

    # Block level -------------------------------------------------------------------

    def read_blocks(
        self,
        parent: _Element,
        cell: tuple[int, int, int] | None = None,
        origin: Literal["body", "textbox"] = "body",
    ) -> None:
        for child in parent:
            tag = child.tag
            if tag == P:
                self.read_paragraph(child, cell, origin)
            elif tag == TBL:
                self.read_table(child, origin)
            elif tag == SDT:
                content = _sdt_content(child)
                if content is not None:
                    self.read_blocks(content, cell, origin)
            elif tag == CUSTOM_XML or tag in _REVISION_KEPT:
                if tag in _REVISION_KEPT:
                    self.revisions += 1
                self.read_blocks(child, cell, origin)
            elif tag in _REVISION_DROPPED:
                self.revisions += 1
            elif tag == ALT_CHUNK:
                self.embedded_chunks += 1
            elif tag == MC_ALTERNATE:
                branch = _choose_branch(child)
                if branch is not None:
                    self.read_blocks(branch, cell, origin)

    def read_table(self, table: _Element, origin: Literal["body", "textbox"]) -> None:
        serial = self.table_serial
        self.table_serial += 1
        for row_index, row in enumerate(_children(table, TR)):
            trpr = row.find(TRPR)
            if trpr is not None and trpr.find(DEL) is not None:
                self.revisions += 1  # a deleted row: not in the accepted view
                continue
            first = len(self.blocks)
            for cell_index, tc in enumerate(_children(row, TC)):
                self.read_blocks(tc, (serial, row_index, cell_index), origin)
            if trpr is not None and _on(trpr.find(TBL_HEADER)):
                self.blocks[first:] = [replace(b, table_header=True) for b in self.blocks[first:]]

    def read_paragraph(
        self, p: _Element, cell: tuple[int, int, int] | None, origin: Literal["body", "textbox"]
    ) -> None:
        parts: list[str] = []
        boxes: list[_Element] = []
        first = p[0] if len(p) else None
        props = _paragraph_properties(first if first is not None and first.tag == PPR
                                      else p.find(PPR))
        if self.strikes is not None:
            self.struck_spans = []
            self.paragraph_struck = props.style in self.strikes
        self.read_inline(p, parts, boxes, [])
        struck = struck_phrases(parts, self.struck_spans) if self.struck_spans else ()
        self.struck_spans = []
        label, level = self._list_label(props)
        style = self.styles.get(props.style or "Normal")
        heading = (_int(props.outline, 9) + 1 if props.outline is not None else
                   style.outline if style is not None else 0)
        bold, italic = _emphasis(p, style) if self.emphasis else (False, False)
        block = Block(text="".join(parts), list_label=label, list_level=level,
                      cell=cell, origin=origin, style=style.name if style is not None else "",
                      heading_level=heading if 0 < heading <= 9 else 0, bold=bold,
                      italic=italic, struck=struck)
        if props.drop_cap:
            self.finish()
            self.drop_cap = block
        else:
            self._append_paragraph(block)
        for box in boxes:
            self.read_blocks(box, cell, "textbox")

    def _append_paragraph(self, block: Block) -> None:
        """Append a paragraph, the waiting drop cap (if any) joined to its first word:
        Word prints « D » in a frame of its own paragraph and « rop cap » in the next."""
        cap = self.drop_cap
        if cap is not None:
            self.drop_cap = None
            if cap.cell == block.cell and cap.origin == block.origin:
                block = replace(block, text=cap.text + block.text,
                                struck=cap.struck + block.struck)
            else:
                self.blocks.append(cap)
        self.blocks.append(block)

    def finish(self) -> None:
        """Keep a drop cap that no paragraph followed as a paragraph of its own."""
        if self.drop_cap is not None:
            self.blocks.append(self.drop_cap)
            self.drop_cap = None

    def _list_label(self, props: _ParagraphProperties) -> tuple[str | None, int]:
        """The paragraph's list label ("-", "3.") and level, from its own numbering or
        its style's; (None, 0) when it is not a list item."""
        style = props.style or ""
        numpr = props.numbering
        if numpr is not None:
            num_id = _child_val(numpr, "numId")
            ilvl = _int(_child_val(numpr, "ilvl"), 0)
            if num_id is None and style in self.numbering.style_numbering:
                num_id = self.numbering.style_numbering[style][0]
        elif style in self.numbering.style_numbering:
            num_id, ilvl = self.numbering.style_numbering[style]
        else:
            return None, 0
        label = self.numbering.label(num_id or "", ilvl)
        return label, (ilvl if label else 0)

    # Inline level ------------------------------------------------------------------

    def read_inline(
        self, parent: _Element, out: list[str], boxes: list[_Element], fields: list[bool]
    ) -> None:
        """Append the visible text of `parent`'s inline content to `out`.

        `fields` is the stack of open complex fields; True while in a field's
        instruction (before `fldChar separate`), whose text is never shown.
        """
        for child in parent:
            tag = child.tag
            if tag == R:
                start = len(out)
                self.read_run(child, out, boxes, fields)
                if self.strikes is not None and len(out) > start and self._struck(child):
                    self.struck_spans.append((start, len(out)))
            elif tag in _INLINE_WRAPPERS:
                self.read_inline(child, out, boxes, fields)
            elif tag in _REVISION_KEPT:
                self.revisions += 1
                self.read_inline(child, out, boxes, fields)
            elif tag in _REVISION_DROPPED:
                self.revisions += 1
            elif tag == SDT:
                checked = _checkbox_state(child)
                if checked is not None:
                    out.append(CHECKED_BOX if checked else EMPTY_BOX)
                    self.revisions += _revisions_in(child)
                    continue
                content = _sdt_content(child)
                if content is not None:
                    self.read_inline(content, out, boxes, fields)
            elif tag == MC_ALTERNATE:
                branch = _choose_branch(child)
                if branch is not None:
                    self.read_inline(branch, out, boxes, fields)
            elif tag in (M_OMATH_PARA, M_OMATH) and not any(fields):
                out.append("".join(t.text or "" for t in child.iter(M_T)))

    def read_run(
        self, run: _Element, out: list[str], boxes: list[_Element], fields: list[bool]
    ) -> None:
        for child in run:
            tag = child.tag
            if tag == FLD_CHAR:
                kind = child.get(_w("fldCharType"))
                if kind == "begin":
                    fields.append(True)
                elif kind == "separate" and fields:
                    fields[-1] = False
                elif kind == "end" and fields:
                    fields.pop()
                continue
            if any(fields):
                continue  # inside a field instruction: never shown
            if tag == T:
                text = child.text or ""
                if PRIVATE_USE.search(text):
                    text = self._symbol_run_text(run, text)
                out.append(text)
            elif tag in (TAB, PTAB):
                out.append("\t")
            elif tag in (BR, CR):
                out.append("\n")
            elif tag == NO_BREAK_HYPHEN:
                out.append("-")
            elif tag in (DRAWING, PICT, OBJECT):
                boxes.extend(_text_boxes(child))
            elif tag == MC_ALTERNATE:
                branch = _choose_branch(child)
                if branch is not None:
                    self.read_run(branch, out, boxes, fields)
            elif tag in (FOOTNOTE_REF, ENDNOTE_REF):
                kind = "footnote" if tag == FOOTNOTE_REF else "endnote"
                key = (kind, child.get(ID, ""))
                label = self.note_labels.setdefault(key, str(len(self.note_labels) + 1))
                out.append(f"[{label}]")
            elif tag == SYM:
                out.append(self._sym(child.get(FONT), child.get(_w("char"))))

    def _struck(self, run: _Element) -> bool:
        """Whether a run is struck through: its own properties, else its character
        style, else its paragraph's style."""
        rpr = run.find(RPR)
        if rpr is not None:
            own = _strike_value(rpr)
            if own is not None:
                return own
            style = rpr.find(RSTYLE)
            if style is not None and self.strikes and style.get(VAL) in self.strikes:
                return True
        return self.paragraph_struck

    def _sym(self, font: str | None, code: str | None) -> str:
        """A w:sym character: its Unicode equivalent, else a visible placeholder."""
        try:
            value = int(code or "", 16)
        except ValueError:
            return ""
        in_private_use = 0xF000 <= value <= 0xF0FF
        if not in_private_use and not symbols.is_symbol_font(font):
            return chr(value) if 0x20 <= value < 0xD800 else ""
        char = symbols.symbol_text(font, value)
        if char is None:
            char = symbols.placeholder(font, value)
            self.unknown_symbols.append(char)
        return char

    def _symbol_run_text(self, run: _Element, text: str) -> str:
        """Private-use characters typed in a Symbol-font run (`<w:rFonts w:ascii="Symbol"/>`
        then `<w:t>\uf0ae</w:t>`), as their Unicode equivalents."""
        rpr = run.find(RPR)
        fonts = rpr.find(RFONTS) if rpr is not None else None
        font = fonts.get(ASCII_FONT) if fonts is not None else None
        if not symbols.is_symbol_font(font):
            return text
        return PRIVATE_USE.sub(lambda m: self._sym(font, f"{ord(m.group()):04X}"), text)


class _ParagraphProperties(NamedTuple):
    style: str | None  # w:pStyle
    numbering: _Element | None  # w:numPr
    outline: str | None  # w:outlineLvl
    drop_cap: bool  # `w:framePr w:dropCap="drop"` or `"margin"` (not `"none"`)


_NO_PROPERTIES = _ParagraphProperties(None, None, None, False)
PSTYLE, OUTLINE_LVL = _w("pStyle"), _w("outlineLvl")


def _paragraph_properties(ppr: _Element | None) -> _ParagraphProperties:
    """What the reader uses of a w:pPr, in one pass over its children (this runs for
    every paragraph); the first of each kind counts, as with `find`."""
    if ppr is None:
        return _NO_PROPERTIES
    style = numbering = outline = None
    drop_cap: bool | None = None
    for child in ppr:
        tag = child.tag
        if tag == PSTYLE:
            style = child.get(VAL) if style is None else style
        elif tag == NUMPR:
            numbering = child if numbering is None else numbering
        elif tag == OUTLINE_LVL:
            outline = child.get(VAL) if outline is None else outline
        elif tag == FRAME_PR and drop_cap is None:
            drop_cap = child.get(DROP_CAP, "none") in ("drop", "margin")
    return _ParagraphProperties(style, numbering, outline, bool(drop_cap))


def _on(toggle: _Element | None) -> bool:
    """An on/off property (`<w:tblHeader/>`, `<w:tblHeader w:val="0"/>`)."""
    return toggle is not None and toggle.get(VAL, "true") not in ("0", "false", "off")


def _children(parent: _Element, tag: str) -> Iterator[_Element]:
    """Direct children with `tag`, looking through content controls and customXml."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = _sdt_content(child)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == CUSTOM_XML:
            yield from _children(child, tag)


def _checkbox_state(sdt: _Element) -> bool | None:
    """A check-box content control's state (ticked or not); None for other controls."""
    props = sdt.find(SDT_PR)
    box = props.find(W14_CHECKBOX) if props is not None else None
    if box is None:
        return None
    checked = box.find(W14_CHECKED)
    return checked is not None and checked.get(W14_VAL, "0") in ("1", "true", "on")


def _revisions_in(sdt: _Element) -> int:
    """Tracked changes inside a check box read by its state (a tick recorded as ☐
    deleted, ☒ inserted): still counted, so staff are told of them."""
    content = sdt.find(SDT_CONTENT)
    if content is None:
        return 0
    return sum(1 for _ in content.iter(*_REVISION_KEPT, *_REVISION_DROPPED))


def _sdt_content(sdt: _Element) -> _Element | None:
    """The content of a content control, or None while it shows its placeholder."""
    props = sdt.find(SDT_PR)
    if props is not None and props.find(SHOWING_PLACEHOLDER) is not None:
        return None
    return sdt.find(SDT_CONTENT)


def _choose_branch(alternate: _Element) -> _Element | None:
    """One branch of mc:AlternateContent: Word writes the same content twice
    (DrawingML in mc:Choice, VML in mc:Fallback); reading both doubles text boxes."""
    choice = alternate.find(MC_CHOICE)
    return choice if choice is not None else alternate.find(MC_FALLBACK)


def _text_boxes(el: _Element) -> list[_Element]:
    """Outermost w:txbxContent elements under a drawing or VML picture."""
    found: list[_Element] = []
    for box in el.iter(TXBX_CONTENT):
        ancestor = box.getparent()
        nested = False
        while ancestor is not None and ancestor is not el:
            if ancestor.tag == TXBX_CONTENT:
                nested = True
                break
            if ancestor.tag == MC_FALLBACK:
                nested = True  # the VML copy of a box already read from mc:Choice
                break
            ancestor = ancestor.getparent()
        if not nested:
            found.append(box)
    return found


# --------------------------------------------------------------------------- parts


def _paragraph_texts(root: _Element) -> list[str]:
    """The non-empty paragraph texts under `root` (a header, a note, a comment)."""
    walker = _Walker(_Numbering({}, {}))
    walker.read_blocks(root)
    return [b.text.strip() for b in walker.blocks if b.text.strip()]


def _notes(package: OoxmlPackage, part: str, kind: str, walker: _Walker) -> list[tuple[str, str]]:
    root = package.read_xml(part)
    notes = []
    prefix = "Note" if kind == "footnote" else "Note de fin"
    for note in root:
        if note.get(TYPE) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        texts = _paragraph_texts(note)
        if not texts:
            continue
        key = (kind, note.get(ID, ""))
        label = walker.note_labels.get(key) or note.get(ID, "?")
        notes.append((f"{prefix} {label}", "\n".join(texts)))
    return notes


def _properties(package: OoxmlPackage) -> Properties:
    def text(root: _Element | None, ns: str, tag: str) -> str | None:
        if root is None:
            return None
        el = root.find(f"{{{ns}}}{tag}")
        value = (el.text or "").strip() if el is not None else ""
        return value or None

    core = package.read_xml("docProps/core.xml") if package.has("docProps/core.xml") else None
    app = package.read_xml("docProps/app.xml") if package.has("docProps/app.xml") else None
    return Properties(
        title=text(core, DC_NS, "title"),
        creator=text(core, DC_NS, "creator"),
        last_modified_by=text(core, CP_NS, "lastModifiedBy"),
        created=text(core, DCTERMS_NS, "created"),
        modified=text(core, DCTERMS_NS, "modified"),
        company=text(app, EP_NS, "Company"),
    )


def read_document(package: OoxmlPackage, *, formatting: bool = False) -> DocumentText:
    """Read the main document, its headers, footers, notes, comments and properties.

    With `formatting`, each block also says whether it is all bold or italic (reading a
    blank form's layout needs it; replies do not, and it costs a fifth of the reading)."""
    main = package.main_document()
    related: dict[str, list[str]] = {}
    for rel in package.relationships(main):
        if rel.external:
            continue
        kind = rel.type.rsplit("/", 1)[-1]
        if kind in _PART_KINDS and package.has(rel.target):
            related.setdefault(kind, []).append(rel.target)

    styles = (_derived(package, related["styles"][0], _styles, _STYLES)
              if "styles" in related else _NO_STYLES)
    levels = (_derived(package, related["numbering"][0], _list_levels, _LEVELS)
              if "numbering" in related else {})
    document = package.read_xml(main)
    # Struck-through text is rare: the runs are inspected only when the document or its
    # styles strike something (one pass over the tree in C, instead of every run's).
    strikes: frozenset[str] | None = styles.strikes
    if not strikes and next(document.iter(STRIKE, DSTRIKE), None) is None:
        strikes = None
    walker = _Walker(_Numbering(levels, styles.numbering), styles.info,
                     emphasis=formatting, strikes=strikes)

    body = document.find(BODY)
    if body is None:
        # Not WordprocessingML this reader knows (an unknown namespace, a damaged or
        # hand-made part): an error, never an empty reply read as « no answers ».
        from cuf_extract.models import IssueCode
        from cuf_extract.package import PackageError

        raise PackageError(
            IssueCode.UNREADABLE,
            f"« {package.name} » n’a pas de contenu lisible : son texte n’est pas rangé "
            "comme dans un document Word (.docx) connu de l’outil. Ouvrez-le dans Word et "
            "enregistrez-le au format « Document Word (*.docx) », ou demandez un nouvel "
            "envoi.")
    walker.read_blocks(body)
    walker.finish()

    headers = _dedupe(
        "\n".join(_paragraph_texts(package.read_xml(part)))
        for part in related.get("header", ())
    )
    footers = _dedupe(
        "\n".join(_paragraph_texts(package.read_xml(part)))
        for part in related.get("footer", ())
    )
    notes: list[tuple[str, str]] = []
    for part in related.get("footnotes", ()):
        notes.extend(_notes(package, part, "footnote", walker))
    for part in related.get("endnotes", ()):
        notes.extend(_notes(package, part, "endnote", walker))
    comments: list[Comment] = []
    for part in related.get("comments", ()):
        for comment in package.read_xml(part).iter(_w("comment")):
            text = "\n".join(_paragraph_texts(comment))
            if text:
                comments.append(Comment(author=comment.get(AUTHOR, "") or "", text=text))

    return DocumentText(
        blocks=tuple(walker.blocks),
        headers=headers,
        footers=footers,
        notes=tuple(notes),
        comments=tuple(comments),
        revisions=walker.revisions,
        embedded_chunks=walker.embedded_chunks,
        properties=_properties(package),
        unknown_symbols=tuple(walker.unknown_symbols),
    )


class _Styles(NamedTuple):
    """What the reader needs from styles.xml (read-only: shared between documents)."""

    numbering: Mapping[str, tuple[str, int]]  # style id -> (numId, ilvl)
    info: Mapping[str, _StyleInfo]  # paragraph style id -> name, heading level, emphasis
    strikes: frozenset[str]  # styles whose text is struck through


_NO_STYLES = _Styles({}, {}, frozenset())


def _styles(root: _Element) -> _Styles:
    return _Styles(_style_numbering(root), _style_info(root), _struck_styles(root))


# What was derived from styles.xml and numbering.xml, by the parts' bytes: the replies
# of a campaign are copies of one form, so most share these parts byte for byte, and
# parsing them again for each reply costs about a tenth of the reading.
_STYLES: dict[bytes, _Styles] = {}
_LEVELS: dict[bytes, dict[str, dict[int, _Level]]] = {}
#: Distinct parts remembered per process (oldest forgotten first).
DERIVED_CACHE_ENTRIES = 16


def _derived(package: OoxmlPackage, part: str, derive: Callable[[_Element], _T],
             cache: dict[bytes, _T]) -> _T:
    """`derive` of the parsed part, or what it gave for a part with the same bytes."""
    data = package.read_xml_bytes(part)
    found = cache.get(data)
    if found is None:
        found = derive(package.parse_part(part, data))
        if len(cache) >= DERIVED_CACHE_ENTRIES:
            del cache[next(iter(cache))]
        cache[data] = found
    return found


def _dedupe(texts: Iterator[str] | list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for text in texts:
        if text and text not in seen:
            seen[text] = None
    return tuple(seen)
