"""The package's imports go one way: no cycle, no import from a lower layer back up.

Walks every module's imports with `ast` (at module level, inside functions and under
TYPE_CHECKING alike: a lazy import is still a dependency) and checks them against the
layers below. A new module must be given a layer here.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import cuf_extract

PACKAGE = Path(cuf_extract.__file__).parent

# Lowest first. A module may import its own layer or lower ones, never a higher one.
LAYERS: list[tuple[str, frozenset[str]]] = [
    # Leaves: values and rules that know no file format and no output.
    ("leaf", frozenset({
        "cuf_extract", "text", "document", "models", "questionnaire", "symbols",
        "typography",  # the tool's French typography: standard library only
        "layout",  # the workbook's sheet and column titles, the state sheet's schema
        "dates",  # dates read once (aware datetimes) and shown one way
        "writers.atomic",  # write-verify-replace of any file: a utility, no format
        "writers.sheet_rows",  # SpreadsheetML rows as text: standard library and openpyxl
    })),
    # Reading bytes: sniffing, zip limits, conversion, the format readers.
    ("readers", frozenset({
        "package", "inputs", "convert", "docx_reader", "workbook_reader",
        # PDFs: PDFium access -> placed characters -> the layout rules (OCR words too),
        # composed by pdf_reader.
        "pdf_access", "pdf_layout", "pdf_reader",
        # Saved e-mails: MIME, MAPI properties and TNEF -> a Message of documents.
        "mail", "mail.sniff", "mail.message", "mail.body", "mail.outlook", "mail.tnef",
        "mail.reader",
        "ocr_reader",
    })),
    # Blocks and results -> answers, names, issues, positions; no file is read here
    # but a form's (derive.load_form) and the cache's.
    ("analysis", frozenset({
        "organisations", "signature", "locate", "respondent", "checks", "struck",
        "positions", "recipients", "derive", "rerun", "cache",
        "reading",  # one way into a file: picks the reader, builds its issues with checks
        "mail.results",  # a Message -> one result per reply, through the pipeline's callback
        "selection",  # which replies are published: one decision for every command
        "writers",  # the package module: French labels shared by every output, no writer
    })),
    ("pipeline", frozenset({"pipeline"})),
    ("campaign", frozenset({
        "campaign", "outline", "template",
        "publication_model",  # the publication as data, laid out by its two writers
    })),
    ("writers", frozenset({
        "writers.xlsx", "writers.report_html", "writers.json_export",
        "writers.publication_docx", "writers.publication_html",
    })),
    # A run's outputs with what a rerun needs around them: the library behind `extraire`;
    # the workbook as the staff left it -> the publication and its files: behind
    # `publication`.
    ("outputs", frozenset({"outputs", "publication"})),
    ("cli", frozenset({"cli", "__main__"})),
]

# Edges known to go the wrong way, each with the change that removes it. The test fails
# when one of them disappears, so the list only shrinks.
KNOWN_BACK_EDGES: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "cuf_extract"


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports (a copy)."""
    return {module: set(targets) for module, targets in _import_graph().items()}


@functools.cache
def _import_graph() -> dict[str, frozenset[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, frozenset[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [t if t.removeprefix("cuf_extract.") in modules else node.module
                           for t in targets]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            assert not (isinstance(node, ast.ImportFrom) and node.level), (
                f"{name}: relative import")
            for target in targets:
                if target == "cuf_extract" or target.startswith("cuf_extract."):
                    short = target.removeprefix("cuf_extract.") if target != "cuf_extract" \
                        else "cuf_extract"
                    if short != name:
                        found.add(short)
        graph[name] = frozenset(found)
    return graph


def _layer_of() -> dict[str, int]:
    return {module: rank for rank, (_, modules) in enumerate(LAYERS) for module in modules}


def test_every_module_has_a_layer() -> None:
    layer = _layer_of()
    assert sorted(set(import_graph()) - set(layer)) == []
    assert sorted(set(layer) - set(import_graph())) == []  # no stale entry


def test_no_import_from_a_lower_layer_back_up() -> None:
    layer = _layer_of()
    graph = import_graph()
    back = {(source, target) for source, targets in graph.items() for target in targets
            if layer[target] > layer[source]}
    names = {rank: label for rank, (label, _) in enumerate(LAYERS)}
    unexpected = sorted(f"{s} ({names[layer[s]]}) imports {t} ({names[layer[t]]})"
                        for s, t in back - KNOWN_BACK_EDGES)
    assert unexpected == []
    assert sorted(KNOWN_BACK_EDGES - back) == []  # fixed: take it off the list


def test_no_import_cycle() -> None:
    graph = import_graph()
    for source, target in KNOWN_BACK_EDGES:
        graph[source].discard(target)
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_walker_sees_lazy_and_type_checking_imports() -> None:
    graph = import_graph()
    assert "writers.xlsx" in graph["outputs"]  # imported inside a function
    assert "outputs" in graph["cli"]  # imported inside a command
    assert "document" in graph["locate"]  # under TYPE_CHECKING
