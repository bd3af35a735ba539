"""A message's body as the blocks `locate` reads, its quoted history set aside.

Plain text gives one block per line (Thunderbird's format=flowed lines joined first),
bullets as list items. HTML is parsed by lxml without rendering anything: scripts,
styles, images and remote content are never fetched nor run, only the text of block
elements is kept, lists as list items, table cells as cells.

Quoted history is recognised in both: ">" lines, a reply's attribution line (« Le 12
févr. 2020 à 10:03, X a écrit : », "On … wrote:"), Outlook's header block (« De : …
Envoyé : … À : … Objet : »), "-----Original Message-----", and in HTML the quoting
elements (blockquote, Gmail's and Outlook's reply containers). The first such line and
everything below it is history: it is returned apart, never as text to read answers in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cuf_extract.document import Block, DocumentText

# « Le 12 févr. 2020 à 10:03, Cités Unies France <x@y.fr> a écrit : », « Le mer. 12
# févr. 2020 à 10:03, … a écrit : », "On Wed, Feb 12, 2020 at 10:03 AM X <x@y> wrote:".
_ATTRIBUTION = re.compile(
    r"^(?:le\s.{4,200}\sa\s+[ée]crit\s*:|on\s.{4,200}\swrote\s*:|.{0,200}\s(?:a\s+[ée]crit|"
    r"wrote)\s*:)\s*$", re.IGNORECASE | re.DOTALL)
_SEPARATOR = re.compile(
    r"^[\s_*-]*(?:-{2,}\s*)?(?:original message|message d['’]origine|message original|"
    r"urspr[üu]ngliche nachricht)\s*(?:-{2,})?[\s_*-]*$", re.IGNORECASE)
# Outlook's reply header: « De : » then, within the next lines, « Envoyé : » or « Date : »,
# « À : » or « Objet : ». (Also "From:" / "Sent:" / "To:" / "Subject:".)
_FROM = re.compile(r"^\*?\s*(?:de|from|von)\s*:\s*\S", re.IGNORECASE)
_HEADER_LINES = re.compile(
    r"^\*?\s*(?:envoy[ée]|sent|date|[àa]|to|cc|objet|subject|gesendet|an|betreff)\s*:",
    re.IGNORECASE)
_BULLET = re.compile(r"^\s*([-*•·–◦▪])\s+(?=\S)")

# HTML elements whose text is a block of its own.
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "pre", "address",
    "section", "article", "header", "footer", "dt", "dd", "caption", "center", "tr",
})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript",
                           "object", "iframe", "svg", "math", "xml", "meta", "link", "img",
                           "video", "audio", "canvas", "form", "button", "select"})
# Elements (by tag, id or class) that hold the quoted history of a reply.
_QUOTE_CLASSES = re.compile(
    r"gmail_quote|moz-cite-prefix|yahoo_quoted|OutlookMessageHeader|divRplyFwdMsg|"
    r"appendonsend|mail-quote|protonmail_quote|zmail_extra", re.IGNORECASE)


def text_blocks(text: str, *, flowed: bool = False, delsp: bool = False
                ) -> tuple[DocumentText, tuple[str, ...]]:
    """A text/plain body → its fresh part as blocks, and the quoted lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if flowed:
        lines = _unflow(lines, delsp=delsp)
    return _split([(line, False) for line in lines])


def html_blocks(html: str) -> tuple[DocumentText, tuple[str, ...]]:
    """A text/html body → its fresh part as blocks, and the quoted lines."""
    import lxml.html
    from lxml import etree

    if not html.strip():
        return DocumentText(blocks=()), ()
    try:
        parser = lxml.html.HTMLParser(no_network=True, remove_comments=True,
                                      remove_pis=True, recover=True)
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return text_blocks(re.sub(r"<[^>]*>", " ", html))
    lines: list[tuple[str, bool, str | None, tuple[int, int, int] | None]] = []
    _walk(root, lines, quoted=False, list_label=None, cell=None, tables=[0])
    blocks: list[tuple[str, bool]] = []
    labels: list[tuple[str | None, tuple[int, int, int] | None]] = []
    for text, quoted, label, cell in lines:
        blocks.append((text, quoted))
        labels.append((label, cell))
    return _split(blocks, labels)


def _unflow(lines: Sequence[str], *, delsp: bool) -> list[str]:
    """RFC 3676: a line ending with a space continues on the next (quotes kept apart)."""
    out: list[str] = []
    current: str | None = None
    for line in lines:
        if line == "-- ":
            if current is not None:
                out.append(current)
                current = None
            out.append(line)
            continue
        line = line[1:] if line.startswith(" ") else line  # space-stuffing
        piece = line[:-1] if delsp and line.endswith(" ") else line
        current = piece if current is None else current + piece
        if not line.endswith(" "):
            out.append(current)
            current = None
    if current is not None:
        out.append(current)
    return out


def _history_starts(texts: Sequence[str]) -> int | None:
    """The index of the first line of quoted history, or None."""
    for index, raw in enumerate(texts):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(">") or _SEPARATOR.match(line):
            return index
        if len(line) <= 300 and _ATTRIBUTION.match(line):
            return index
        if _FROM.match(line):
            following = [t.strip() for t in texts[index + 1:index + 8] if t.strip()][:4]
            if sum(1 for t in following if _HEADER_LINES.match(t)) >= 2:
                return index
    return None


def _split(lines: Sequence[tuple[str, bool]],
           labels: Sequence[tuple[str | None, tuple[int, int, int] | None]] | None = None,
           ) -> tuple[DocumentText, tuple[str, ...]]:
    texts = [text for text, _ in lines]
    cut = _history_starts(texts)
    first_quoted = next((i for i, (_, quoted) in enumerate(lines) if quoted), None)
    if first_quoted is not None and (cut is None or first_quoted < cut):
        cut = first_quoted
    cut = len(lines) if cut is None else cut
    blocks: list[Block] = []
    for index in range(cut):
        text = " ".join(texts[index].split())
        if not text:
            continue
        label, cell = labels[index] if labels is not None else (None, None)
        bullet = _BULLET.match(text) if label is None else None
        if bullet:
            label, text = "-", text[bullet.end():]
        if text == "--":  # the signature separator "-- " itself
            continue
        blocks.append(Block(text=text, list_label=label, cell=cell))
    quoted = tuple(t for t in (" ".join(x.split()) for x in texts[cut:]) if t)
    return DocumentText(blocks=tuple(blocks)), quoted


def _walk(element: object, out: list[tuple[str, bool, str | None, tuple[int, int, int] | None]],
          *, quoted: bool, list_label: str | None, cell: tuple[int, int, int] | None,
          tables: list[int]) -> None:
    """Collect the text of `element` as lines: one per block element or <br>."""
    from lxml import etree

    assert isinstance(element, etree._Element)
    buffer: list[str] = []

    def flush() -> None:
        text = "".join(buffer)
        buffer.clear()
        out.extend((piece, quoted, list_label, cell) for piece in text.split("\n"))

    def visit(node: etree._Element, depth: int) -> None:
        nonlocal quoted, list_label, cell
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _SKIPPED_TAGS or not isinstance(node.tag, str) or depth > 200:
            if node.tail:
                buffer.append(node.tail)
            return
        saved = (quoted, list_label, cell)
        marker = " ".join(filter(None, (node.get("class"), node.get("id"))))
        if tag == "blockquote" or (marker and _QUOTE_CLASSES.search(marker)):
            flush()
            quoted = True
        block = tag in _BLOCK_TAGS or tag in ("ul", "ol", "table", "blockquote", "hr")
        if block:
            flush()
        if tag == "li":
            parent = node.getparent()
            ordered = parent is not None and parent.tag == "ol"
            if ordered and parent is not None:
                position = [c for c in parent if c.tag == "li"].index(node) + 1
                list_label = f"{position}."
            else:
                list_label = "-"
        if tag == "table":
            tables[0] += 1
        if tag in ("td", "th"):
            cell = (tables[0], *_cell_position(node))
        if tag == "br":
            buffer.append("\n")
        elif node.text:
            buffer.append(node.text)
        for child in node:
            visit(child, depth + 1)
        if block:
            flush()
        quoted, list_label, cell = saved
        if node.tail:
            buffer.append(node.tail)

    visit(element, 0)
    flush()


def _cell_position(node: object) -> tuple[int, int]:
    """(row, cell) of a table cell among its row's and its table's."""
    from lxml import etree

    assert isinstance(node, etree._Element)
    row = node.getparent()
    if row is None:
        return 0, 0
    rows = row.getparent()
    row_index = [r for r in rows if r.tag == "tr"].index(row) if rows is not None else 0
    return row_index, [c for c in row if c.tag in ("td", "th")].index(node)
