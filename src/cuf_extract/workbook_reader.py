"""The cell values of a workbook's sheets, read straight from their XML.

A rerun reads the previous workbook back (staff columns, the hidden state sheet).
openpyxl's reader builds a dictionary per cell and reads every sheet twice (once to
find its size); on the workbook of 600 replies that is most of a rerun's reading time.
This reader streams the sheet XML with lxml and returns the values openpyxl's
`iter_rows(values_only=True)` would give, **for the cells it understands exactly**:
inline strings of plain text (what openpyxl's write-only mode writes), numbers (dates
when their style's number format is a date one, as openpyxl decides it), booleans and
formula-less string results. Anything else — shared strings (a workbook Excel or
LibreOffice saved again), rich text, formulas, error or ISO date cells, the 1904 date
system, a package laid out otherwise — makes it answer None, and the caller reads the
workbook with openpyxl instead. So it is only ever a faster way to the same values.

`read_sheets` is the one way the package reads a workbook back: this reader, else
openpyxl.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import IO, Any

from lxml import etree

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROW = f"{{{_SHEET_NS}}}row"
_DIMENSION = f"{{{_SHEET_NS}}}dimension"
_CELL = f"{{{_SHEET_NS}}}c"
_VALUE = f"{{{_SHEET_NS}}}v"
_FORMULA = f"{{{_SHEET_NS}}}f"
_INLINE = f"{{{_SHEET_NS}}}is"
_TEXT = f"{{{_SHEET_NS}}}t"

Rows = list[list[object]]


class _NotPlain(Exception):
    """A cell or a part this reader does not render exactly as openpyxl would."""


class WorkbookUnreadable(Exception):
    """Neither this reader nor openpyxl can open the workbook (the cause is chained)."""


def read_sheets(path: Path, names: Collection[str], *, first_row_only: bool = False,
                data_only: bool = False) -> dict[str, Rows]:
    """The rows of the sheets among `names` that the workbook at `path` holds, by name,
    as openpyxl's `iter_rows(values_only=True)` gives them: straight from the XML when
    `read_plain_sheets` can, else through openpyxl (a workbook Excel saved again).
    `data_only` reads a formula cell's last computed value instead of its formula.
    Raises `WorkbookUnreadable` when openpyxl cannot open it either."""
    sheets = read_plain_sheets(path, names, first_row_only=first_row_only)
    if sheets is not None:
        return sheets
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:
        raise WorkbookUnreadable(type(exc).__name__) from exc
    try:
        return {name: [list(row) for row in workbook[name].iter_rows(
                    max_row=1 if first_row_only else None, values_only=True)]
                for name in names if name in workbook.sheetnames}
    finally:
        workbook.close()


_DC_NS = "http://purl.org/dc/elements/1.1/"


def read_title_and_creator(path: Path) -> tuple[str | None, str | None]:
    """The workbook's title and author from its core properties (the part openpyxl
    reads, `docProps/core.xml`), None where not set."""
    try:
        with zipfile.ZipFile(path) as package:
            core = etree.fromstring(package.read("docProps/core.xml"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None, None
    title, creator = core.find(f"{{{_DC_NS}}}title"), core.find(f"{{{_DC_NS}}}creator")
    return (None if title is None else title.text,
            None if creator is None else creator.text)


def read_plain_sheets(path: Path, names: Collection[str], *, first_row_only: bool = False
                      ) -> dict[str, Rows] | None:
    """The rows of the sheets among `names` that the workbook at `path` holds, by name.

    Row n of a sheet is item n - 1 (an empty list for a row absent from the XML); a
    row's values run from column A to its last cell, None where no cell is. With
    `first_row_only`, each sheet's list holds its first row only. None when the
    workbook holds anything this reader does not render exactly as openpyxl would
    (see the module's docstring), or cannot be read: then read it with openpyxl.
    """
    try:
        with zipfile.ZipFile(path) as package:
            return _read(package, names, first_row_only=first_row_only)
    except (_NotPlain, OSError, KeyError, ValueError, zipfile.BadZipFile,
            etree.XMLSyntaxError):
        return None


def _read(package: zipfile.ZipFile, names: Collection[str], *, first_row_only: bool
          ) -> dict[str, Rows]:
    workbook = etree.fromstring(package.read("xl/workbook.xml"))
    properties = workbook.find(f"{{{_SHEET_NS}}}workbookPr")
    if properties is not None and properties.get("date1904") not in (None, "0", "false"):
        raise _NotPlain("the 1904 date system")
    rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "")
               for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    styles = _Styles(package)
    found: dict[str, Rows] = {}
    for sheet in workbook.iter(f"{{{_SHEET_NS}}}sheet"):
        name = sheet.get("name")
        if name is None or name not in names or name in found:
            continue
        target = targets[sheet.get(f"{{{_DOC_REL_NS}}}id")]
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        with package.open(part) as source:
            found[name] = _rows(source, styles, first_row_only=first_row_only)
    return found


def _rows(source: IO[bytes], styles: _Styles, *, first_row_only: bool) -> Rows:
    """A sheet's rows as openpyxl's read-only `iter_rows(values_only=True)` gives them:
    with a `<dimension>`, rows are cut or padded to its last column and end at its last
    row; without one, each row runs to its last cell."""
    rows: Rows = []
    columns: dict[str, int] = {}  # "AB12" -> 28, by the reference's letters
    width: int | None = None
    last_row: int | None = None
    for _, element in etree.iterparse(source, tag=(_DIMENSION, _ROW)):
        if element.tag == _DIMENSION:
            if rows:
                raise _NotPlain("a dimension after the rows")
            from openpyxl.utils.cell import range_boundaries

            _, _, width, last_row = range_boundaries(element.get("ref", ""))
            continue
        row = element
        number = row.get("r")
        index = int(number) if number is not None else len(rows) + 1
        if index <= len(rows):
            raise _NotPlain("rows out of order")
        if last_row is not None and index > last_row:
            break
        rows.extend(([None] * width if width else []) for _ in range(index - 1 - len(rows)))
        values: list[object] = [None] * width if width else []
        previous = 0
        for cell in row:
            if cell.tag != _CELL:  # openpyxl would count it as a cell
                raise _NotPlain(f"{cell.tag} in a row")
            reference = cell.get("r")
            if reference:
                letters = reference.rstrip(_DIGITS)
                column = columns.get(letters) or columns.setdefault(letters, _column(letters))
            else:
                column = previous + 1
            if column <= previous:
                raise _NotPlain("cells out of order")
            previous = column
            if width:
                if column <= width:
                    values[column - 1] = _value(cell, styles)
                continue
            values.extend([None] * (column - len(values)))
            values[column - 1] = _value(cell, styles)
        rows.append(values)
        if first_row_only:
            break
        # Drop each row once read: only the values are kept.
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]
    return rows


_DIGITS = "0123456789"


def _column(letters: str) -> int:
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()
            and letters.isupper()):
        raise _NotPlain(f"cell reference {letters!r}")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _value(cell: etree._Element, styles: _Styles) -> object:
    children = list(cell)
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        if not children:
            return None
        if len(children) > 1 or children[0].tag != _INLINE:
            raise _NotPlain("a formula, or more than one inline string")
        parts = list(children[0])
        if not parts:
            return ""
        if len(parts) > 1 or parts[0].tag != _TEXT:
            raise _NotPlain("rich or phonetic text")
        return parts[0].text or ""
    value = None
    for child in children:
        if child.tag == _VALUE:
            value = child.text if value is None else value
        elif child.tag == _FORMULA:
            raise _NotPlain("a formula")
    if not value:
        return None
    if kind == "n":
        number = _cast_number(value)
        style = int(cell.get("s") or 0)
        return styles.date_value(number, style) if styles.is_date(style) else number
    if kind == "b":
        return bool(int(value))
    if kind == "str":
        return value
    raise _NotPlain(f"cell type {kind!r}")


def _cast_number(value: str) -> float | int:
    """As openpyxl reads a number: a float when it has a point or an exponent."""
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


class _Styles:
    """Which cell styles hold dates, as openpyxl's stylesheet decides it (read lazily:
    a sheet of text never needs it)."""

    def __init__(self, package: zipfile.ZipFile):
        self._package = package
        self._dates: set[int] | None = None
        self._durations: set[int] = set()

    def is_date(self, style: int) -> bool:
        if self._dates is None:
            self._dates = set()
            if "xl/styles.xml" in self._package.namelist():
                from openpyxl.styles.stylesheet import Stylesheet
                from openpyxl.xml.functions import fromstring

                # openpyxl's own reading of the stylesheet, so dates are told as it does.
                node = fromstring(self._package.read("xl/styles.xml"))
                sheet: Any = Stylesheet.from_tree(node)  # type: ignore[arg-type]
                self._dates = set(sheet.date_formats)
                self._durations = set(sheet.timedelta_formats)
        return style in self._dates

    def date_value(self, number: float | int, style: int) -> object:
        from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

        try:
            return from_excel(number, WINDOWS_EPOCH, timedelta=style in self._durations)
        except (OverflowError, ValueError) as exc:
            raise _NotPlain("a date out of range") from exc
