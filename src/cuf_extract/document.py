"""The format-neutral document model every reader returns.

A reader (Word, PDF, ...) turns a file into a `DocumentText`: `Block`s in reading order
plus the side parts (headers, footers, notes, comments, properties). Everything after
the readers (locate, derive, struck, respondent) sees only these values, never a format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

# Symbol-font characters typed as text rather than as symbols: Word's private-use code
# points (U+F020-U+F0FF), invisible or meaningless without the font. Both readers show
# them as placeholders.
PRIVATE_USE = re.compile("[\uf020-\uf0ff]")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of text, in reading order."""

    text: str
    list_label: str | None = None  # "-" for a bullet, "3." for a numbered item
    list_level: int = 0
    cell: tuple[int, int, int] | None = None  # (table serial, row, cell) when in a table
    origin: Literal["body", "textbox"] = "body"
    # Formatting, for reading a blank form's layout (derive.py); replies ignore it.
    style: str = ""  # the paragraph style's name as Word stores it ("heading 1", "Title")
    heading_level: int = 0  # 1-9 for a heading (style or direct outline level), else 0
    bold: bool = False  # every visible character is bold (read_document(formatting=True))
    italic: bool = False  # every visible character is italic (idem)
    table_header: bool = False  # in a table row marked to repeat as header (w:tblHeader)
    # Pieces of `text` printed struck through (Word formatting, or a PDF's strike lines).
    struck: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Comment:
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class Properties:
    title: str | None = None
    creator: str | None = None
    last_modified_by: str | None = None
    company: str | None = None
    # ISO 8601 as the format gave it, with its offset when it had one (see dates.py).
    created: str | None = None
    modified: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentText:
    """Everything readable in a document, split by where it stands."""

    blocks: tuple[Block, ...]
    headers: tuple[str, ...] = ()
    footers: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # (label, text) of footnotes and endnotes
    comments: tuple[Comment, ...] = ()
    revisions: int = 0
    embedded_chunks: int = 0  # w:altChunk: content pasted as a separate part
    properties: Properties = field(default_factory=Properties)
    unknown_symbols: tuple[str, ...] = ()  # placeholders of symbols with no known character


def struck_phrases(parts: list[str], spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """The struck pieces of a paragraph's text: `spans` index `parts` (the pieces of
    text in order); consecutive struck runs (and blanks between them) make one phrase."""
    struck = [False] * len(parts)
    for start, end in spans:
        struck[start:end] = [True] * (end - start)
    phrases: list[str] = []
    current: list[str] = []
    pending: list[str] = []  # blanks after a struck piece: kept if another one follows
    for piece, on in zip(parts, struck, strict=True):
        if on:
            current.extend(pending)
            pending = []
            current.append(piece)
        elif current and not piece.strip():
            pending.append(piece)
        elif current:
            phrases.append(" ".join("".join(current).split()))
            current, pending = [], []
    if current:
        phrases.append(" ".join("".join(current).split()))
    return tuple(p for p in phrases if any(ch.isalnum() for ch in p))
