"""Placed characters -> the same `DocumentText` as a Word file: the layout rules that
turn glyphs and their positions back into what the respondent typed.

Pure Python. The characters come from a PDF's text layer (`pdf_access`, each with its
baseline, box and font size, and the page's ruled tables) or from the words read on a
page image (`read_words`: OCR words enter here, where characters become lines):

- characters -> lines: consecutive characters (in content-stream order) on one
  baseline; a justified line is one run however wide its word gaps, and two runs on
  one baseline stay apart only when they are far apart or a table rule lies between;
  characters (no-break and thin spaces, curly quotes) are kept as given, as the Word
  path keeps what was typed, and accents are composed (NFC);
- running headers, footers and page numbers: lines in the top or bottom band of the
  page whose text (digits ignored) comes back on several pages, and lines that are
  only a page number ("3", "Page 3 / 5", "- 3 -", "3/5"), are taken out of the flow,
  from the page edge inwards; the others go to `DocumentText.headers`/`footers` once;
- footnotes: a superscript note number goes back into its line as "[1]"; the smaller
  lines under a short separator rule at a page's foot become `DocumentText.notes`;
- tables: where ruling lines draw a grid, each line goes to the cell holding it and
  cells are read row by row (`Block.cell`); a table continued on the next page keeps
  its number, a repeated header row is read once, and a row broken by the page stays
  one row;
- text columns (a two-column section or page style): where lines share a left edge
  clear of the page's left part and read like flowing text beside the lines on their
  left (each column filled without holes, side by side from the top, similar widths),
  the band is read column by column, a paragraph running on into the next column; a
  question/answer table without rules has holes and is read row by row as before;
- lines -> paragraphs: a new paragraph where the vertical gap is larger than the line
  pitch, the font size changes, the indent changes, a list marker starts the line,
  the previous line ended short (the next line's first word would have fitted on it),
  or a sentence ends a line all bold and the next has no bold (or the reverse);
- list markers (bullets, dashes, Symbol-font private-use bullets, "1." "a)") become
  `Block.list_label` ("-" or the number) and `list_level` (from the markers'
  indents), even when the marker stands on a line of its own; a word hyphenated by
  the layout at a line end ("-", U+2010, soft hyphen) is joined again, a real hyphen
  ("Nord-Pas-de-Calais", "2020-2021") is kept, the document's own spelling deciding;
- struck-through characters (found by `pdf_access`) are kept and named in
  `Block.struck`.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from cuf_extract import symbols
from cuf_extract.document import PRIVATE_USE, Block, DocumentText, Properties, struck_phrases

#: Share of the page height, at the top and at the bottom, where running headers and
#: footers are looked for.
MARGIN_BAND = 0.12

# Bullets as fonts draw them; Symbol and Wingdings bullets arrive as private-use
# characters (U+F0B7 "", U+F0A7 "", U+F0D8 "", U+F076 "", U+F0FC "" …).
_BULLETS = frozenset("•▪◦‣∙·●○■□◆◇►▸▹➢➤✓✔-–—*o\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8\uf06e\uf071")
# What Word prints in an empty content control: not typed, never an answer.
_PLACEHOLDERS = frozenset({
    "Cliquez ou appuyez ici pour entrer du texte.", "Cliquez ici pour taper du texte.",
    "Click or tap here to enter text.", "Click here to enter text.",
})
# Bullets that are never text (a dash, "*", "o" or "1." may be, at the start of a line
# wrapped from the line above).
_GLYPH_BULLETS = _BULLETS - frozenset("-–—*o")
# Wingdings tick boxes and ticks as private-use code points (the font's name is often
# lost: LibreOffice exports them in OpenSymbol). On a line holding two of them, at
# least one a box, they are a choice ("☐ Oui ☑ Non"), not a bullet and its item.
_TICK_BOXES = {"\uf0a8": "\u2610", "\uf0fe": "\u2611", "\uf0fd": "\u2612",
               "\uf0fb": "\u2717", "\uf0fc": "\u2713"}
_BOXES = frozenset("\uf0a8\uf0fe\uf0fd")
_NUMBER_LABEL = re.compile(r"^(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]$")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*)?[-–—]?\s*\d{1,4}\s*(?:(?:/|sur|of)\s*\d{1,4})?\s*[-–—]?$",
    re.IGNORECASE,
)
# A browser prints its stamps in the page's outer 5 %, where no body text goes.
PRINT_STAMP_EDGE = 0.05
# A browser's print stamp: the header starts with the date and time of printing
# ("05/02/2020 18:18", "2/5/20, 6:18 PM"), the footer ends with "page/pages".
_PRINT_DATE = re.compile(
    r"^\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?(?:\s|$)",
    re.IGNORECASE)
_PAGE_OF = re.compile(r"\s+(?:page\s+)?(\d{1,4})\s*(?:/|sur|of)\s*(\d{1,4})$", re.IGNORECASE)
# Firefox: "1 sur 2" (or "Page 1 of 2") starts the footer, the date ends it.
_PAGE_OF_FIRST = re.compile(r"^(?:page\s+)?(\d{1,4})\s*(?:/|sur|of)\s*(\d{1,4})\s+",
                            re.IGNORECASE)
# A web address in a page band: the printed page's, a browser's stamp.
_ADDRESS = re.compile(r"\b(?:https?|file)://\S+", re.IGNORECASE)
# First parts and second parts of French compound words: a hyphen at a line end before
# a second part ("peut-" / "être", "dit-" / "il") is the word's own; after a first part
# ("sous-" / "préfecture", "inter-" / "celtiques") it is unless the document shows
# otherwise (the word printed whole, the producer's own hyphenation mark). Articles and
# pronouns are second parts only: "de-" / "vra" is "devra".
_FIRST_PARTS = frozenset({
    "là", "ci", "vis", "sous", "non", "ex", "anti", "co", "demi", "semi", "mi", "vice",
    "arrière", "avant", "après", "contre", "entre", "grand", "grande", "petit", "petite",
    "haut", "sur", "néo", "post", "pré", "pro", "extra", "inter", "intra", "multi",
    "pluri", "quasi", "auto", "socio", "franco", "euro", "ultra", "micro", "macro",
    "peut", "est", "au", "soit", "lui", "elle", "eux", "celui", "celle", "ceux",
})
_SECOND_PARTS = frozenset({
    "de", "du", "des", "la", "le", "les", "là", "ci", "t", "il", "ils", "elle", "elles",
    "on", "ce", "même", "mêmes", "dire", "être", "vis", "à", "je", "tu", "nous", "vous",
    "moi", "toi", "lui", "leur", "eux", "en", "y",
})


@dataclass(slots=True)
class Char:
    """A character placed on a page. Its text may be U+0002: a hyphen ending a line, as
    PDFium reports it whether typed or not (judged when lines are joined)."""

    text: str
    x0: float
    x1: float
    base: float  # baseline y (PDF user space: up is positive)
    size: float
    index: int
    struck: bool = False  # a strike line crosses it
    bold: bool = False  # its font's name says bold, black or heavy
    # Its advance (PDFium's loose box: origin to origin plus width), when known: glyphs
    # of one word touch there, whatever their ink leaves between them.
    adv0: float | None = None
    adv1: float | None = None


@dataclass(slots=True)
class Line:
    """Characters read as one line of text; `finish` measures them."""

    chars: list[Char]
    page: int
    x0: float = 0.0
    x1: float = 0.0
    base: float = 0.0
    size: float = 0.0
    text: str = ""
    first: int = 0  # stream index of its first and last characters
    last: int = 0
    label: str | None = None  # list marker found at its start
    text_x0: float = 0.0  # where the text starts, after the marker
    cell: tuple[int, int, int] | None = None
    weight: int = 0  # 1: every letter bold, -1: none, 0: mixed
    # In a band of text columns: (the band's top baseline, column number from 1, the
    # column's left and right edges); see _mark_columns.
    column: tuple[float, int, float, float] | None = None

    def finish(self) -> Line:
        chars = self.chars
        self.x0 = min(c.x0 for c in chars)
        self.x1 = max(c.x1 for c in chars)
        self.base = statistics.median(c.base for c in chars)
        self.size = max(c.size for c in chars)
        self.first = min(c.index for c in chars)
        self.last = max(c.index for c in chars)
        self.text = _chars_text(chars)
        self.text_x0 = self.x0
        bold = [c.bold for c in chars if c.text.isalnum()]
        self.weight = 1 if bold and all(bold) else -1 if not any(bold) else 0
        return self


@dataclass(slots=True)
class Table:
    """A table drawn with ruling lines."""

    top: float
    bottom: float
    xs: list[float]  # column boundaries, left to right
    rows: list[float]  # row boundaries, top to bottom


@dataclass(slots=True)
class Page:
    """A page of lines, what the rules after `char_lines` work on."""

    number: int  # from 0
    bottom: float  # the page's box in user space (its origin need not be 0, 0)
    top: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # not in tables


def _table_at(tables: list[Table], x: float, y: float) -> tuple[Table, int, int] | None:
    """The table holding the point, with the row and column of its cell."""
    for table in tables:
        if table.bottom - 1 <= y <= table.top + 1 and table.xs[0] - 1 <= x <= table.xs[-1] + 1:
            col = sum(1 for b in table.xs[1:-1] if x >= b)
            row = sum(1 for b in table.rows[1:-1] if y <= b)
            return table, row, col
    return None


def cluster(values: Iterable[float], tolerance: float = 3.0) -> list[float]:
    """Sorted `values` with those within `tolerance` of the last one kept left out: one
    position for a rule drawn twice, one indent for a list level."""
    out: list[float] = []
    for value in values:
        if not out or abs(value - out[-1]) > tolerance:
            out.append(value)
    return out


# -- characters -> lines ---------------------------------------------------------------


def char_lines(chars: list[Char], page: int, tables: list[Table]) -> list[Line]:
    """A page's characters, in content-stream order, as lines."""
    # 1. Runs of consecutive characters on one baseline, moving right.
    runs: list[list[Char]] = []
    for char in chars:
        if runs:
            run = runs[-1]
            last = run[-1]
            same_base = abs(char.base - last.base) <= 0.35 * max(char.size, last.size)
            if same_base and char.x0 >= last.x0 - 0.5 * char.size:
                run.append(char)
                continue
        runs.append([char])
    # A run may hold characters of two table cells drawn in one go: split at rules.
    split: list[list[Char]] = []
    for run in runs:
        current: list[Char] = []
        for char in run:
            if current and _crosses_rule(tables, current[-1], char):
                split.append(current)
                current = []
            current.append(char)
        split.append(current)
    lines = [Line(run, page).finish() for run in split if any(not c.text.isspace() for c in run)]
    # 2. Runs on one baseline joined when close (a bold word drawn apart, a bullet and
    #    its text), kept apart across a table rule or a wide gap (columns).
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: -ln.base):
        if rows and abs(rows[-1][0].base - line.base) <= 0.35 * line.size:
            rows[-1].append(line)
        else:
            rows.append([line])
    merged: list[Line] = []
    for row in rows:
        row.sort(key=lambda ln: ln.x0)
        current_line = row[0]
        for line in row[1:]:
            gap = line.x0 - current_line.x1
            lone_marker = _marker(current_line.text) is not None and (
                _marker(current_line.text) == current_line.text.strip())
            # Next in the content stream (PDFium may have put a generated space or line
            # break between): one line, however wide the gap (justified text).
            following = 0 < line.first - current_line.last <= 3
            near = (gap < 0.8 * max(line.size, current_line.size) or following
                    or (lone_marker and gap < 6 * line.size))
            if near and not _crosses_rule(tables, current_line.chars[-1], line.chars[0]):
                space = [] if gap <= 0.15 * line.size else [
                    Char(" ", current_line.x1, line.x0, line.base, line.size, current_line.last)]
                current_line = Line([*current_line.chars, *space, *line.chars], page).finish()
            else:
                merged.append(current_line)
                current_line = line
        merged.append(current_line)
    return _attach_note_references(merged, page)


def _chars_text(chars: list[Char]) -> str:
    out: list[str] = []
    previous: Char | None = None
    reach = 0.0  # the rightmost ink so far: a right-to-left word comes back reversed
    for char in chars:
        if previous is not None and not char.text.isspace() and not previous.text.isspace():
            gap = char.x0 - reach
            if gap > 0.25 * char.size and not _touching(previous, char):
                out.append(" ")  # a producer that places words without spaces
        reach = char.x1 if previous is None or char.text.isspace() else max(reach, char.x1)
        # Spaces are kept as typed (no-break, thin), as the Word path keeps them; only
        # control characters that a PDF cannot mean as such become plain spaces.
        out.append(" " if char.text in "\t\n\r\x0b\x0c" else char.text)
        previous = char
    return re.sub(r" {2,}", " ", "".join(out)).strip(" ")


# Glyphs whose advances meet within this share of the size are one word, however far
# apart their ink is: « 1. » in Helvetica leaves 0.29 em of white between the ink of
# "1" and ".", « Bonj our » in the Adobe PDF Library's fonts as much; a word space,
# even squeezed by justification (TeX: 0.22 em), leaves more than 0.2 em.
TOUCHING = 0.08


def _touching(previous: Char, char: Char) -> bool:
    """Whether two characters' advances meet: letters of one word, not two words."""
    if previous.adv1 is None or char.adv0 is None:
        return False
    return abs(char.adv0 - previous.adv1) <= TOUCHING * char.size


def _attach_note_references(lines: list[Line], page: int) -> list[Line]:
    """A note number set in superscript is its own line to the layout: put it back in
    the line it stands on, as "[1]" (how the Word path shows note references)."""
    kept: list[Line] = []
    for line in lines:
        digits = line.text.strip()
        host = None
        if digits.isdigit() and len(digits) <= 3:
            host = next((
                other for other in lines
                if other is not line and line.size < 0.8 * other.size
                and 0 < line.base - other.base < 0.7 * other.size
                and other.x0 - 2 * other.size <= line.x0 <= other.x1 + other.size), None)
        if host is None:
            kept.append(line)
            continue
        mark = Char(f"[{digits}]", line.x0, line.x1, host.base, host.size, line.first)
        host.chars = sorted([*host.chars, mark], key=lambda c: c.x0)
        host.finish()
    return [ln for ln in kept if ln.chars]


def _crosses_rule(tables: list[Table], a: Char, b: Char) -> bool:
    for table in tables:
        if table.bottom <= a.base <= table.top:
            for x in table.xs:
                if a.x1 - 1 <= x <= b.x0 + 1 and b.x0 > a.x0:
                    return True
    return False


def _marker(text: str) -> str | None:
    """The list marker starting `text` ("•", "–", "1.", "a)"), or None."""
    stripped = text.lstrip()
    if not stripped:
        return None
    first = stripped[0]
    if first in _BULLETS and (len(stripped) == 1 or stripped[1] in " \t\u00a0"):
        return first
    token = stripped.split(None, 1)[0]
    if _NUMBER_LABEL.match(token) and (len(stripped) > len(token) or len(token) > 1):
        return token
    return None


# -- words read by OCR -> lines --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacedWord:
    """A word read on a page image (`ocr_reader`), in points from the page's top-left
    corner. Words with the same `line` were read as one line and share `base`."""

    text: str
    x0: float
    x1: float
    base: float  # the line's baseline, down from the top of the page
    size: float  # the line's type size
    line: int


def read_words(pages: Sequence[tuple[float, Sequence[PlacedWord]]]) -> DocumentText:
    """Pages of words (page height in points, words in reading order) -> the same
    `DocumentText` as a PDF's text layer: the words go through the lines, headers,
    paragraphs and lists rebuilt for PDFs."""
    built: list[Page] = []
    for number, (height, words) in enumerate(pages):
        page = Page(number, 0.0, height)
        page.lines = word_lines(words, number, height)
        built.append(page)
    return rebuild(built, Properties())


def word_lines(words: Sequence[PlacedWord], page: int, top: float) -> list[Line]:
    """OCR words as characters (a word's box shared evenly by its letters, a space
    between words), then lines as for a text layer. Lines read apart are kept apart in
    stream order, so only their positions can join them."""
    chars: list[Char] = []
    index = 0
    previous: PlacedWord | None = None
    for word in words:
        if previous is not None:
            if previous.line == word.line:
                chars.append(Char(" ", previous.x1, previous.x1, top - word.base, word.size,
                                  index))
                index += 1
            else:
                index += 10
        step = (word.x1 - word.x0) / max(len(word.text), 1)
        for offset, letter in enumerate(word.text):
            x0 = word.x0 + offset * step
            chars.append(Char(letter, x0, x0 + step, top - word.base, word.size, index))
            index += 1
        previous = word
    return char_lines(chars, page, [])


# -- pages of lines -> the document ----------------------------------------------------


def rebuild(pages: list[Page], properties: Properties) -> DocumentText:
    """Pages of lines -> running headers and footers, notes, blocks."""
    headers, footers = _running_lines(pages)
    headers, footers = tuple(map(_composed, headers)), tuple(map(_composed, footers))
    _mark_columns(pages)
    notes = tuple((label, _composed(text)) for label, text in _footnotes(pages))
    blocks, unknown = _private_use([
        block if block.text.isascii() else replace(
            block, text=_composed(block.text), struck=tuple(map(_composed, block.struck)))
        for block in _blocks(pages)])
    return DocumentText(blocks=tuple(blocks), headers=headers, footers=footers,
                        notes=notes, properties=properties, unknown_symbols=unknown)


def _composed(text: str) -> str:
    """A text as the Word path would hold it: accents composed (a PDF's text layer may
    keep them apart, "e" + U+0301, as its fonts draw them), and no line-end marks."""
    return unicodedata.normalize("NFC", text.replace("\x02", "-"))


def _private_use(blocks: list[Block]) -> tuple[list[Block], tuple[str, ...]]:
    """Symbol-font characters still in the text (bullets and tick boxes are read
    before): private-use code points, invisible or meaningless without the font, whose
    name the PDF often lost (LibreOffice writes OpenSymbol for Symbol and Wingdings
    alike). Shown as a placeholder, as the Word path shows an unknown symbol."""
    unknown: list[str] = []

    def shown(match: re.Match[str]) -> str:
        text = symbols.placeholder("?", ord(match[0]))
        unknown.append(text)
        return text

    out = [replace(block, text=PRIVATE_USE.sub(shown, block.text))
           if PRIVATE_USE.search(block.text) else block for block in blocks]
    return out, tuple(unknown)


# -- running headers and footers -------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split())).casefold()


def _running_lines(pages: list[Page]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Take running headers, footers and page numbers out of the pages' lines."""
    def band(page: Page, top: bool) -> list[Line]:
        height = page.top - page.bottom
        limit = page.top - height * MARGIN_BAND if top else page.bottom + height * MARGIN_BAND
        # A table's header row repeated on each page is the table's (read once by
        # _blocks), not a running header.
        lines = [ln for ln in page.lines if (ln.base >= limit if top else ln.base <= limit)
                 and _table_at(page.tables, ln.x0 + 0.5, ln.base) is None]
        return sorted(lines, key=lambda ln: -ln.base if top else ln.base)[:3]

    found: dict[bool, list[str]] = {True: [], False: []}
    for top in (True, False):
        counts: Counter[str] = Counter()
        for page in pages:
            counts.update({_key(ln.text) for ln in band(page, top)})
        for page in pages:
            taken: set[str] = set()
            # From the page edge inwards, and only while every line met was taken out:
            # a "2021" or a repeated line below the first line of text is text.
            for line in band(page, top):
                key = _key(line.text)
                if _PAGE_NUMBER.match(line.text.strip()) and all(
                        int(n) <= 999 for n in re.findall(r"\d+", line.text)):
                    page.lines.remove(line)
                    continue
                edge = (page.top - line.base if top else line.base - page.bottom) < (
                    PRINT_STAMP_EDGE * (page.top - page.bottom))
                stamp = _print_stamp(line.text, page.number + 1, len(pages), top)
                if edge and stamp is not None:
                    # Printing marks, not the respondent's letterhead: kept with the
                    # footers, even on a one-page reply where nothing repeats.
                    page.lines.remove(line)
                    if stamp not in found[False]:
                        found[False].append(stamp)
                    continue
                # Lines without letters are page numbers or text, never running headers.
                worded = re.search(r"[^\W\d_]", line.text) is not None
                if worded and len(pages) > 1 and counts[key] >= 2 and key not in taken:
                    taken.add(key)
                    page.lines.remove(line)
                    text = re.sub(r"\s+\d{1,4}$", "", line.text) if not top else line.text
                    if text not in found[top]:
                        found[top].append(text)
                    continue
                break
    return tuple(found[True]), tuple(found[False])


def _print_stamp(text: str, number: int, count: int, top: bool) -> str | None:
    """A browser's print header or footer line, without its page number; else None."""
    text = " ".join(text.split())
    if not top:
        for pattern in (_PAGE_OF, _PAGE_OF_FIRST):
            match = pattern.search(text)
            if match and (int(match[1]), int(match[2])) == (number, count):
                return (text[:match.start()] + " " + text[match.end():]).strip()
    if (top and _PRINT_DATE.match(text)) or _ADDRESS.search(text):
        return text
    return None


# -- text columns ----------------------------------------------------------------------


def _body_order(line: Line) -> tuple[float, int, float, float]:
    """Where a body line (not in a table) comes in reading order: top to bottom, left to
    right; in a band of columns, the band at its top, then column by column."""
    if line.column is not None:
        return (-line.column[0], line.column[1], -line.base, line.x0)
    return (-line.base, 0, 0.0, line.x0)


def _indent(line: Line, x: float) -> float:
    """`x` on `line` from its column's left edge (the page's for a line in no column)."""
    return x - line.column[2] if line.column is not None else x


def _next_column(previous: Line, line: Line) -> bool:
    """`line` opens the column that follows `previous`'s in the same band."""
    return (previous.column is not None and line.column is not None
            and line.page == previous.page and line.column[0] == previous.column[0]
            and line.column[1] == previous.column[1] + 1)


def _mark_columns(pages: list[Page]) -> None:
    """Find bands of text set in columns (a two-column section or page style) and mark
    their lines (`Line.column`), so that they are read column by column, not across.

    The gutter is the left edge shared by the lines of the right-hand column; a line
    crossing it (a title, a paragraph in one column) ends a band. A band is columns only
    when it reads like flowing text, not like a table drawn without rules (whose
    question column must never be read before its answer column): several lines in
    each column, side by side from the band's top, each column without holes (a gap of
    more than a few lines), the left column reaching the band's bottom (text fills it
    before flowing on), and columns of similar widths."""
    for page in pages:
        body = [ln for ln in page.lines
                if ln.cell is None and _table_at(page.tables, ln.x0 + 0.5, ln.base) is None]
        if len(body) < 8:
            continue
        for gutter in _gutters(body):
            _mark_bands(body, gutter)


def _gutters(body: list[Line]) -> list[float]:
    """Candidate left edges of a right-hand column: x0 shared (within 2 pt) by at least
    four lines starting clear of the page's left part, most shared first."""
    left = min(ln.x0 for ln in body)
    right = max(ln.x1 for ln in body)
    width = right - left
    starts = sorted(ln.x0 for ln in body if ln.x0 > left + 0.3 * width
                    and ln.x0 < right - 0.2 * width)
    found: list[tuple[int, float]] = []
    i = 0
    while i < len(starts):
        j = i
        while j + 1 < len(starts) and starts[j + 1] - starts[i] <= 2.0:
            j += 1
        if j - i + 1 >= 4:
            found.append((j - i + 1, starts[i]))
        i = j + 1
    return [x for _, x in sorted(found, reverse=True)[:2]]


def _mark_bands(body: list[Line], gutter: float) -> None:
    lines = sorted(body, key=lambda ln: -ln.base)
    band: list[Line] = []
    for line in [*lines, None]:
        crossing = line is not None and line.x0 < gutter - 2.0 and line.x1 > gutter - 1.0
        if line is None or crossing:
            _mark_band(band, gutter)
            band = []
        elif line.column is None:
            band.append(line)


def _mark_band(band: list[Line], gutter: float) -> None:
    left = sorted((ln for ln in band if ln.x1 <= gutter - 1.0), key=lambda ln: -ln.base)
    right = [ln for ln in band if ln.x0 >= gutter - 2.0]
    if len(left) < 3 or len(right) < 3:
        return
    size = statistics.median(ln.size for ln in band)
    # Short lines after the columns (a signature under a two-column section) stand
    # in the left column's place: below the right column's end, after a hole.
    right_bottom = min(ln.base for ln in right)
    for i in range(1, len(left)):
        if left[i - 1].base - left[i].base > 3.5 * size and (
                left[i].base < right_bottom - size):
            left = left[:i]
            break
    if len(left) < 3:
        return
    top = max(ln.base for ln in (*left, *right))
    columns = (left, right)
    for column in columns:
        bases = sorted((ln.base for ln in column), reverse=True)
        if bases[0] < top - 1.5 * size:
            return  # not side by side from the band's top
        if any(a - b > 3.5 * size for a, b in zip(bases, bases[1:], strict=False)):
            return  # a hole in the column: rows of a table, not flowing text
    if min(ln.base for ln in left) > right_bottom + 8 * size:
        return  # the left column stops far above the right one's end: not a flow
    widths = [max(ln.x1 for ln in c) - min(ln.x0 for ln in c) for c in columns]
    if not 0.6 <= widths[0] / widths[1] <= 1 / 0.6:
        return
    # Rows: paragraphs starting side by side, nearly all of them (cells of a table).
    starts = [_paragraph_starts(column, size) for column in columns]
    if len(starts[0]) >= 3 and sum(1 for b in starts[0] if any(
            abs(b - c) <= 2.0 for c in starts[1])) >= 0.8 * len(starts[0]):
        return
    edges = [(min(ln.x0 for ln in c), max(ln.x1 for ln in c)) for c in columns]
    for number, (column, (x0, x1)) in enumerate(zip(columns, edges, strict=True), start=1):
        for line in column:
            line.column = (top, number, x0, x1)


def _paragraph_starts(column: list[Line], size: float) -> list[float]:
    """Baselines where a column's paragraphs start (its top, and after a wider gap)."""
    bases = sorted((ln.base for ln in column), reverse=True)
    return [bases[0]] + [b for a, b in zip(bases, bases[1:], strict=False) if a - b > 1.6 * size]


# -- footnotes -------------------------------------------------------------------------


_NOTE_START = re.compile(r"^\[?(\d{1,3})\]?\s*(.*)$", re.S)


def _footnotes(pages: list[Page]) -> tuple[tuple[str, str], ...]:
    """Footnotes out of the flow: the smaller-type lines under a short separator rule
    at the bottom of a page, each starting with its number ("Note 1", as for Word)."""
    sizes = [ln.size for page in pages for ln in page.lines]
    if not sizes:
        return ()
    body_size = statistics.median(sizes)
    notes: list[tuple[str, str]] = []
    for page in pages:
        height = page.top - page.bottom
        separators = [y for y, x0, x1 in page.rules
                      if y < page.bottom + height * 0.5 and x1 - x0 < 0.45 * height]
        if not separators:
            continue
        limit = max(separators)
        below = sorted((ln for ln in page.lines if ln.base < limit), key=lambda ln: -ln.base)
        if not below or any(ln.size > 0.95 * body_size for ln in below):
            continue
        match = _NOTE_START.match(below[0].text)
        if match is None:
            continue
        current: list[str] = []
        label = ""
        for line in below:
            page.lines.remove(line)
            start = _NOTE_START.match(line.text)
            if start is not None:
                if current:
                    notes.append((f"Note {label}", " ".join(t for t in current if t)))
                label, current = start.group(1), [start.group(2).strip()]
            else:
                current.append(line.text.strip())
        if current:
            notes.append((f"Note {label}", " ".join(t for t in current if t)))
    return tuple(notes)


# -- blocks ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Paragraph:
    lines: list[Line]
    label: str | None
    cell: tuple[int, int, int] | None
    typed_marker: bool = False  # "- " typed by hand (no gap after it): never nested


def _blocks(pages: list[Page]) -> list[Block]:
    """The pages' lines as blocks in reading order: the body (continued over page
    breaks) and table cells, row by row."""
    pitch = _pitch_ratio(pages)
    flows: list[tuple[tuple[int, int, int] | None, list[Line]]] = []
    cell_flow: dict[tuple[int, int, int], int] = {}  # cell -> index in flows
    cell_right: dict[tuple[int, int, int], float] = {}
    first_rows: dict[int, dict[int, str]] = {}  # table serial -> its first row's texts
    serial = -1
    # The table that ended the previous page: (table, serial, last row, its texts).
    last: tuple[Table, int, int, dict[int, str]] | None = None
    for page in pages:
        tables = sorted(page.tables, key=lambda t: -t.top)
        items: list[tuple[tuple[float, int, float, float], tuple[Table, int, int] | None,
                          Line]] = []
        for line in page.lines:
            found = _table_at(tables, line.x0 + 0.5, line.base)
            if found is None:
                items.append((_body_order(line), None, line))
            else:
                items.append(((-found[0].rows[found[1]], found[2], -line.base, line.x0),
                              found, line))
        items.sort(key=lambda item: item[0])
        rows: dict[int, dict[int, dict[int, list[Line]]]] = {}  # id(table) -> row -> col
        for _, where, line in items:
            if where is not None:
                rows.setdefault(id(where[0]), {}).setdefault(where[1], {}).setdefault(
                    where[2], []).append(line)
        # Local rows of each table -> (serial, row in the whole table), or None (dropped).
        mapping: dict[tuple[int, int], tuple[int, int] | None] = {}
        for table in tables:
            if id(table) not in rows:
                continue
            local = sorted(rows[id(table)])
            texts = {r: _row_texts(rows[id(table)][r]) for r in local}
            continued = (
                last is not None and items[0][1] is not None and items[0][1][0] is table
                and len(last[0].xs) == len(table.xs)
                and all(abs(a - b) < 3 for a, b in zip(last[0].xs, table.xs, strict=True)))
            if continued and last is not None:
                _, table_serial, previous_row, previous_texts = last
                if local and texts[local[0]] == first_rows.get(table_serial):
                    mapping[(id(table), local.pop(0))] = None  # the header row, repeated
                if local and _split_row(texts[local[0]], previous_texts):
                    mapping[(id(table), local.pop(0))] = (table_serial, previous_row)
                next_row = previous_row + 1
            else:
                serial += 1
                table_serial, next_row = serial, 0
                if local:
                    first_rows[table_serial] = texts[local[0]]
            for r in local:
                mapping[(id(table), r)] = (table_serial, next_row)
                next_row += 1
        last_key: tuple[int, int, int] | None = None
        for _, where, line in items:
            if where is None:
                last_key = None
                if flows and flows[-1][0] is None:
                    flows[-1][1].append(line)
                else:
                    flows.append((None, [line]))
                continue
            table, row, col = where
            target = mapping[(id(table), row)]
            if target is None:
                continue
            key = (target[0], target[1], col)
            last_key = key
            line.cell = key
            padding = max(line.x0 - table.xs[col], 0.0)  # text may reach the rule less it
            cell_right.setdefault(key, table.xs[col + 1] - padding)
            if key in cell_flow:
                flows[cell_flow[key]][1].append(line)
            else:
                cell_flow[key] = len(flows)
                flows.append((key, [line]))
        last = None
        if last_key is not None and items and items[-1][1] is not None:
            table = items[-1][1][0]
            cells = [(c, (last_key[0], last_key[1], c)) for c in range(len(table.xs) - 1)]
            ending = {c: " ".join(ln.text for ln in flows[cell_flow[key]][1])
                      for c, key in cells if key in cell_flow}
            last = (table, last_key[0], last_key[1], ending)
    body = [ln.x1 for page in pages for ln in page.lines if ln.cell is None]
    body_right = max(body) if body else 0.0
    built: list[tuple[tuple[int, int, int] | None, list[_Paragraph]]] = [
        (cell, _paragraphs(lines, pitch,
                           cell_right.get(cell, 0.0) if cell is not None else body_right))
        for cell, lines in flows]
    # List levels from the markers' indents: the n-th distinct indent of the body's (or
    # the cell's) list items is level n.
    indents: dict[tuple[int, int, int] | None, list[float]] = {}
    for cell, paragraphs in built:
        indents.setdefault(cell, []).extend(
            p.lines[0].x0 for p in paragraphs if p.label is not None and not p.typed_marker)
    levels = {cell: cluster(sorted(xs), 4.0) for cell, xs in indents.items()}
    words = _vocabulary(pages)
    marks_layout = _hyphenation_mark(pages)
    blocks: list[Block] = []
    for cell, paragraphs in built:
        for paragraph in paragraphs:
            text = _paragraph_text(paragraph, words, marks_layout)
            if not text or text in _PLACEHOLDERS:
                continue
            level = 0
            if paragraph.label is not None and not paragraph.typed_marker:
                x0 = paragraph.lines[0].x0
                level = sum(1 for x in levels[cell][1:] if x0 >= x - 2.0)
            blocks.append(Block(text=text, list_label=paragraph.label, list_level=level,
                                cell=cell, struck=_struck(paragraph.lines)))
    return blocks


def _struck(lines: list[Line]) -> tuple[str, ...]:
    """The struck phrases of a paragraph's lines (a strike running over a line break is
    one phrase)."""
    if not any(c.struck for line in lines for c in line.chars):
        return ()
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    for line in lines:
        previous: Char | None = None
        for char in line.chars:
            if (previous is not None and not char.text.isspace()
                    and not previous.text.isspace() and char.x0 - previous.x1 > 0.25 * char.size):
                parts.append(" ")  # words placed apart without a space character
            if char.struck:
                spans.append((len(parts), len(parts) + 1))
            parts.append(char.text.replace("\x02", "-").replace("\u00ad", "-"))
            previous = char
        parts.append(" ")
    return struck_phrases(parts, spans)


def _row_texts(row: dict[int, list[Line]]) -> dict[int, str]:
    return {col: " ".join(ln.text for ln in lines) for col, lines in row.items() if lines}


def _split_row(texts: dict[int, str], previous: dict[int, str]) -> bool:
    """Whether a table's first row on a page continues the previous page's last row:
    a column that had text there is empty here (a long answer continues, its short
    question does not), or a cell's text stopped mid-sentence there and goes on here
    in lower case (the question broken by the page as well as its answer)."""
    if not texts:
        return False
    if any(col not in texts for col in previous):
        return True
    return any(col in previous and texts[col][:1].islower()
               and not re.search(r"[.?!:;…»)]\s*$", previous[col]) for col in texts)


def _pitch_ratio(pages: list[Page]) -> float:
    """Typical distance between baselines of one paragraph, in font sizes."""
    ratios: list[float] = []
    for page in pages:
        lines = sorted((ln for ln in page.lines if ln.cell is None), key=lambda ln: -ln.base)
        for a, b in zip(lines, lines[1:], strict=False):
            delta = a.base - b.base
            if abs(a.size - b.size) < 0.5 and 0.8 * a.size < delta < 2.2 * a.size:
                ratios.append(delta / a.size)
    if not ratios:
        return 1.2
    # A low quantile, not the median: pages of one-line answer paragraphs have as many
    # paragraph gaps as line steps, and the line step is the smaller of the two.
    ratios.sort()
    return min(ratios[len(ratios) // 5], 1.5)


# -- paragraphs ------------------------------------------------------------------------


def _paragraphs(lines: list[Line], pitch: float, right: float) -> list[_Paragraph]:
    """Lines of one flow (the body, or a table cell) -> paragraphs; `right` is where
    the flow's lines may end."""
    left = min(ln.x0 for ln in lines)
    right = max(right, *(ln.x1 for ln in lines))
    justified = _justified(lines, right)
    paragraphs: list[_Paragraph] = []
    pending_label: str | None = None
    for line in lines:
        line.text = _tick_boxes(line.text)
        label = _marker(line.text)
        text = line.text
        if (label is not None and label not in _GLYPH_BULLETS and paragraphs
                and paragraphs[-1].label is None and not _marker_gap(line, label)
                and _continues(paragraphs[-1], line, pitch, left, right, justified)):
            # "- AICT", "a) …" wrapped from a full line of a paragraph: text, not a list
            label = None
        if label == "o" and not _marker_gap(line, label):
            label = None  # Word's second-level bullet "o" is followed by a tab, a word not
        typed = label is not None and label not in _GLYPH_BULLETS and not _marker_gap(
            line, label)
        if label is not None:
            if text.strip() == label and label in _BULLETS:
                pending_label = "-"  # a bullet extracted on a line of its own
                continue
            text = text.lstrip()[len(label):].lstrip()
            offset = len(line.text) - len(text)
            line.text_x0 = line.chars[min(offset, len(line.chars) - 1)].x0 if offset else line.x0
            line.text = text
            # A dash typed by hand keeps its own character (« – Oui », as in Word).
            line.label = label if typed and label in "-–—" else (
                "-" if label in _BULLETS else label)
        if pending_label is not None and line.label is None:
            line.label = pending_label
        pending_label = None
        if paragraphs and not line.label and _continues(
                paragraphs[-1], line, pitch, left, right, justified):
            paragraphs[-1].lines.append(line)
        else:
            paragraphs.append(_Paragraph([line], line.label, line.cell, typed))
    return paragraphs


def _tick_boxes(text: str) -> str:
    """`text` with its Wingdings tick boxes as Unicode boxes when it is a line of
    choices (two of them, a box among them); else as it is. One character for one,
    so the line's characters still match its text."""
    found = [ch for ch in text if ch in _TICK_BOXES]
    if len(found) < 2 or not _BOXES.intersection(found):
        return text
    return "".join(_TICK_BOXES.get(ch, ch) for ch in text)


def _marker_gap(line: Line, label: str) -> bool:
    """Whether the text after the marker stands clearly apart from it (a tab, an indent:
    what list formatting draws, and a typed "- " does not)."""
    visible = [c for c in line.chars if not c.text.isspace()]
    if len(visible) <= len(label.strip()):
        return False
    end = visible[len(label) - 1].x1
    start = visible[len(label)].x0
    return start - end > 0.6 * line.size


# Justified text: its full lines end within a quarter of the font size of the right
# margin (a line-end hyphen's box or a trailing space leaves up to 2 pt at 11 pt), and
# they are at least this share of the flow's lines (0.3 to 0.8 of a reply's lines: short
# answers and questions' last lines are not full; a ragged flow has a few lines near its
# longest by chance). A full line is never an em short of the margin.
FLUSH_TOLERANCE = 0.25
JUSTIFIED_SHARE = 0.25
JUSTIFIED_MIN_LINES = 4


def _justified(lines: list[Line], right: float) -> bool:
    """Whether a flow's text is justified: many of its lines end at its right edge."""
    flush = sum(1 for ln in lines
                if ln.column is None and ln.x1 >= right - FLUSH_TOLERANCE * ln.size)
    return flush >= JUSTIFIED_MIN_LINES and flush >= JUSTIFIED_SHARE * len(lines)


def _continues(paragraph: _Paragraph, line: Line, pitch: float, left: float,
               right: float, justified: bool = False) -> bool:
    previous = paragraph.lines[-1]
    if previous.column is not None:
        left, right = previous.column[2], previous.column[3]  # the column's own edges
    if line.page != previous.page or _next_column(previous, line):
        gap_ok = True  # a paragraph running over a page or column break
    else:
        delta = previous.base - line.base
        gap_ok = 0 < delta <= pitch * max(line.size, previous.size) * 1.25
    if not gap_ok or abs(line.size - previous.size) > 0.12 * previous.size:
        return False
    if previous.weight * line.weight == -1 and re.search(r"[.?!:…»)]\s*$", previous.text):
        return False  # a bold paragraph and a plain one, without spacing between them
    tolerance = 0.6 * line.size
    first = paragraph.lines[0]
    if all(_centred(ln, line, left, tolerance) for ln in paragraph.lines):
        return True  # a centred title wrapped over several lines
    if previous.x1 + _first_word_width(line) < right - 0.3 * line.size:
        return False  # the previous line ended short: the paragraph ended there
    if (justified and previous.column is None
            and previous.x1 < right - previous.size
            and re.search(r"[.?!…]\s*$", previous.text)):
        # Justified text stretches every line of a paragraph but its last to the margin:
        # a sentence ending an em short of it ends its paragraph, though the next line's
        # first word would not have fitted after it (at the foot of a page, or above a
        # question typed with no spacing).
        return False
    if _next_column(previous, line):
        return True  # the paragraph goes on at the top of the next column
    if len(paragraph.lines) >= 2:
        return abs(_indent(line, line.x0) - _indent(paragraph.lines[1], paragraph.lines[1].x0)
                   ) <= tolerance
    if _indent(line, line.x0) > _indent(first, first.text_x0) + tolerance:
        centred = abs((line.x0 + line.x1) - (first.x0 + first.x1)) < 2 * tolerance
        # A centred first line is clear of the left margin, or, when it spans nearly
        # the whole width (a long title), has equal margins on both sides.
        margins = first.x0 - left, right - first.x1
        return centred and (first.x0 > left + tolerance or (
            min(margins) > 1 and abs(margins[0] - margins[1]) < tolerance))
    return True


def _centred(a: Line, b: Line, left: float, tolerance: float) -> bool:
    # Lines sharing their left edge are indented, not centred (list items whose
    # bullets are drawn as shapes), unless they are as long as each other.
    return (abs((a.x0 + a.x1) - (b.x0 + b.x1)) < 2 * tolerance
            and min(a.x0, b.x0) > left + 2 * tolerance
            and (abs(a.x0 - b.x0) > tolerance / 3 or abs(a.x1 - b.x1) <= tolerance / 3))


def _first_word_width(line: Line) -> float:
    """Width of the line's first word and the space before it."""
    start = line.chars[0].x0
    end = start
    for char in line.chars:
        if char.text.isspace():
            if end > start:
                break
            continue
        if char.text not in _GLYPH_BULLETS or end > start:
            end = char.x1
    return end - start + 0.25 * line.size


# -- hyphenation -----------------------------------------------------------------------


def _paragraph_text(paragraph: _Paragraph, words: frozenset[str] = frozenset(),
                    marks_layout: bool = False) -> str:
    """A paragraph's lines as one text, hyphenation undone; `words` are the document's
    words (casefolded), evidence for a hyphen at a line end; `marks_layout` says a U+2010
    ending a line is the producer's hyphenation mark (see `_layout_hyphen`)."""
    text = ""
    for line in paragraph.lines:
        piece = line.text.strip()
        if not text:
            text = piece
            continue
        # PDFium reports a hyphen ending a line as U+0002 whether typed or not (a soft
        # hyphen too): judge it. U+2010 (WeasyPrint, Typst) is judged the same way.
        text = text[:-1] + "-" if text.endswith("\x02") else text
        soft = text.endswith("\u00ad")  # a soft hyphen: always the layout's
        if soft or (text.endswith(_HYPHENS)
                    and _layout_hyphen(text, piece, words, marks_layout)):
            text = text[:-1] + piece
        elif re.search(r"\w[-\u2010]$", text):
            text += piece  # a typed hyphen where the line broke: "Nord-" + "Pas-de-Calais"
        else:
            text = f"{text} {piece}"
    return text.replace("\x02", "-").replace("\u00ad", "").strip()


_HYPHENS = ("-", "\u2010")
_WORD = re.compile(r"[^\W\d_][\w’'\-\u2010]*")


def _vocabulary(pages: list[Page]) -> frozenset[str]:
    """Every word of the document (casefolded, hyphens kept): how the respondent and the
    form spell a word elsewhere tells whether a hyphen at a line end is its own."""
    words = {word.casefold().replace("\u2010", "-") for page in pages
             for line in page.lines for word in _WORD.findall(line.text)}
    # "l’intercommunalité" holds "intercommunalité" too.
    return frozenset(words | {re.split(r"[’']", word)[-1] for word in words})


def _hyphenation_mark(pages: list[Page]) -> bool:
    """Whether U+2010 is the producer's hyphenation mark: it ends lines, while every
    hyphen inside a line is a plain "-" (WeasyPrint and wkhtmltopdf hyphenate with
    U+2010 and keep the typed "-" of "lui-même"); a document typing U+2010 inside its
    lines uses it as its hyphen, and then it proves nothing."""
    ends = inner = typed = False
    for page in pages:
        for line in page.lines:
            text = line.text.rstrip()
            ends = ends or text.endswith("\u2010")
            inner = inner or "\u2010" in text[:-1]
            typed = typed or re.search(r"\w-\w", text) is not None
    return ends and typed and not inner


def _layout_hyphen(before: str, after: str, words: frozenset[str] = frozenset(),
                   marks_layout: bool = False) -> bool:
    """Whether the hyphen ending `before` was put there by the layout, not typed; the
    document's `words` decide when they hold the word whole or hyphenated. With
    `marks_layout`, a U+2010 at a line end is the producer's hyphenation mark (the
    document types its hyphens as "-" everywhere else)."""
    head = re.search(r"([\w’']+)[-\u2010]$", before)
    tail = re.match(r"([\w’']+)", after)
    if head is None or tail is None:
        return False
    # "l’organi-" / "gramme": the elided article is not part of the word.
    first, second = re.split(r"[’']", head.group(1))[-1], tail.group(1)
    if not first.isalpha() or not second[:1].islower() or not first.islower():
        return False  # "2020-" / "Nord-" / "-Calais": a real hyphen
    if re.search(r"[-\u2010]", before[:-1].rsplit(" ", 1)[-1]):
        return False  # "Nord-Pas-" / "de-Calais"
    whole, hyphenated = (first + second).casefold(), f"{first}-{second}".casefold()
    if whole in words and hyphenated not in words:
        return True  # "inter-" / "nationale" where "internationale" is printed whole
    if hyphenated in words and whole not in words:
        return False
    if second.casefold() in _SECOND_PARTS:
        return False
    if first.casefold() not in _FIRST_PARTS:
        return True
    return (marks_layout and before.endswith("\u2010")) or _inflected(whole, first, words)


def _inflected(whole: str, first: str, words: frozenset[str]) -> bool:
    """Whether the document prints, whole, another form of the word `whole` (one of its
    inflections: "professionnels" for "pro-" / "fessionnelle"): a stem shared well past
    the hyphen, differing only in the last three letters or fewer."""
    stem = whole[:max(len(first) + 4, len(whole) - 3)]
    if len(stem) >= len(whole) and whole not in words:
        return False
    return any(word.startswith(stem) and len(word) - len(stem) <= 3 and "-" not in word
               for word in words)
