"""Every French string the tool can emit follows `typography`'s rule, so new text stays right.

Two nets: the string literals of the source, read as Python reads them (adjacent
literals joined, an f-string's fields replaced by a neutral word), and what the tool
really writes on the bundled examples (terminal, report, workbook comments, help), with
the respondents' text taken out: it is published as typed and never retouched.
"""

from __future__ import annotations

import ast
import html
import io
import re
import shutil
import tokenize
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import cast

import openpyxl
import pytest

from cuf_extract import checks, inputs
from cuf_extract.models import Answer, IssueCode
from cuf_extract.typography import NBSP, french, violations

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "cuf_extract"
EXAMPLES = ROOT / "examples"

# Literals that are not the tool's French sentences: text matched against what
# respondents typed (positions' phrase tables, the locator's and the respondent finder's
# patterns), a symbol font's character table, the JSON schema's descriptions (English,
# for developers) and the rule itself.
NOT_EMITTED = {"positions.py", "locate.py", "respondent.py", "symbols.py", "models.py",
               "typography.py"}
# A literal is French when it has a French letter, a French quote or a French word.
_FRENCH = re.compile(
    r"[àâçéèêëîïôûùœÀÉÈÇ«»’]|\b(le|la|les|des|du|une?|est|sont|pas|dans|pour|vous|votre|"
    r"vos|fichiers?|aucune?|ou|et|à|Aide|Usage|Erreur|Attention|Exemple)\b|\b(?:[ldjmnstc]|qu)'\w",
    re.IGNORECASE)


def _fields_out(body: str) -> str:
    """An f-string's literal text, each replacement field a neutral word."""
    out, depth, i = [], 0, 0
    while i < len(body):
        pair = body[i:i + 2]
        if depth == 0 and pair in ("{{", "}}"):
            out.append(pair[0])
            i += 2
            continue
        char = body[i]
        if char == "{":
            if depth == 0:
                out.append("X")
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
        i += 1
    return "".join(out)


def _literal(token: str) -> str | None:
    """The text of a string token (None for raw and bytes literals: patterns, data)."""
    match = re.match(r"([a-zA-Z]*)('''|\"\"\"|'|\")", token)
    assert match is not None
    prefix, quote = match.group(1).lower(), match.group(2)
    if "r" in prefix or "b" in prefix:
        return None
    body = token[len(match.group(1)) + len(quote):-len(quote)]
    if "f" in prefix:
        body = _fields_out(body)
    return ast.literal_eval(quote + body.replace("\\N", "\\\\N") + quote) if "\\" in body else body


def _source_sentences(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each run of adjacent string literals, docstrings left out."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    run: list[str] = []
    start = 0
    previous = None
    for token in tokens:
        if token.type == tokenize.STRING:
            if not run:
                start = token.start[0]
                docstring = previous is None or previous.type in (
                    tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            text = _literal(token.string)
            run.append("" if text is None else text)
        elif token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        else:
            if run and not (docstring and token.type == tokenize.NEWLINE):
                yield start, "".join(run)
            run = []
            previous = token
    if run:
        yield start, "".join(run)


def test_the_source_s_french_literals_follow_the_rule() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name in NOT_EMITTED:
            continue
        for line, text in _source_sentences(path):
            if _FRENCH.search(text):
                found += [f"{path.relative_to(ROOT)}:{line}: {v}" for v in violations(text)]
    assert not found, "\n".join(found)


def _tool_text(text: str, respondents: Sequence[str] = ()) -> str:
    """`text` without what respondents typed: their texts (whole, then line by line,
    longest first) and whatever the tool quotes between « ».

    A quote's content is the respondent's; the quote marks and their no-break spaces
    are the tool's and stay.
    """
    pieces = {p for r in respondents for p in (r, *r.splitlines()) if p.strip()}
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, "X")
    return re.sub(f"«{NBSP}[^«»]*?{NBSP}»", f"«{NBSP}X{NBSP}»", text)


def _catalogue() -> Iterator[tuple[str, str]]:
    """(code, message) of every message the issue catalogue builds, on sample arguments."""
    ids = ["Q1", "Q2", "Q3"]
    for unassigned in (["Un paragraphe égaré."], ["Un.", "Deux."]):
        issues = checks.answer_issues(
            question_ids=ids, answers={"Q1": None, "Q2": "x" * (checks.EXCEL_CELL_LIMIT + 1)},
            found=frozenset({"Q2"}), unassigned=unassigned, answered_twice=frozenset({"Q2"}))
        yield from ((i.code, i.message) for i in issues)
    yield from ((i.code, i.message) for i in checks.answer_issues(
        question_ids=ids, answers={}, found=frozenset(), unassigned=[]))
    singles = [
        checks.unreadable_bug("parti.docx", "KeyError"), checks.owner_file("~$parti.docx"),
        checks.converted_note("parti.doc", "Word 97-2003"), checks.from_pdf_note("parti.pdf"),
        checks.scanned_pages("parti.pdf", [2], 4), checks.scanned_pages("parti.pdf", [2, 3], 4),
        checks.possible_signature(["Jean Dupont", "Président"], ids, {"Q1": "Oui."}),
        checks.unknown_symbols(["[symbole F0AE]"]),
        *checks.no_box_ticked(ids, {"Q1"}),
        *checks.text_issues(["a\x01b"], extra=True, found=True),
        checks.ocr_note("parti.png", [1], 1), checks.ocr_note("parti.pdf", [2, 3], 4),
        checks.ocr_blank_pages("parti.pdf", [2], 4),
        *checks.doubtful_words([f"mot{n}" for n in range(22)],
                               [Answer(question="Q1", text=" ".join(f"mot{n}" for n in range(22)))],
                               ids),
    ]
    for count in (1, 2):
        singles += checks.document_issues(revisions=count, comments=count, embedded_chunks=count)
    yield from ((i.code, i.message) for i in singles)
    yield IssueCode.TOO_LARGE, checks.too_large_message("parti.docx", 60 * 1024 * 1024)
    for kind in inputs.FileKind:
        try:
            yield inputs.explain(kind, "parti.docx")
        except ValueError:  # read, not explained: the readers say why
            continue


def test_the_issue_catalogue_follows_the_rule() -> None:
    messages = list(_catalogue())
    assert len({code for code, _ in messages}) >= 15  # the net is wide
    found = [f"{code}: {v}" for code, message in messages
             for v in violations(_tool_text(message))]
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The CLI on the bundled examples, at 80 columns: its output and its files."""
    import json
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("examples")
    shutil.copytree(EXAMPLES / "replies", folder / "reponses")
    shutil.copy(EXAMPLES / "destinataires.txt", folder)
    done = subprocess.run(
        [sys.executable, "-m", "cuf_extract", "reponses", "--destinataires",
         "destinataires.txt", "--json", "reponses.json"],
        cwd=folder, capture_output=True, text=True, encoding="utf-8",
        env={"COLUMNS": "80", "PYTHONIOENCODING": "utf-8", "PATH": "", "HOME": str(folder)},
        check=False)
    assert done.returncode == 1, done.stderr  # the examples hold replies to check
    published = subprocess.run(
        [sys.executable, "-m", "cuf_extract", "publication", "--synthese", "--forcer-synthese"],
        cwd=folder, capture_output=True, text=True, encoding="utf-8",
        env={"COLUMNS": "80", "PYTHONIOENCODING": "utf-8", "PATH": "", "HOME": str(folder)},
        check=False)
    assert "Écrit" in published.stdout, published.stderr
    data = json.loads((folder / "reponses.json").read_text("utf-8"))
    respondents = []
    for result in data["files"]:
        respondents += [a["text"] for a in result["answers"] if a["text"]]
        respondents += result["extra_text"]
        respondents += [f["value"] for f in result["identification"] if f.get("value")]
        respondents += [result["respondent"]] if result["respondent"] else []
    return {"folder": folder, "out": done.stdout + published.stdout,
            "err": done.stderr + published.stderr,
            "respondents": respondents}


def test_what_the_cli_prints_on_the_examples_follows_the_rule(
    examples_run: dict[str, object],
) -> None:
    printed = str(examples_run["out"]) + str(examples_run["err"])
    assert "Sans réponse à ce jour" in printed
    assert not violations(_tool_text(printed)), violations(_tool_text(printed))
    assert not _broken_at_a_no_break_space(printed)


def _broken_at_a_no_break_space(printed: str) -> list[str]:
    """Lines of a terminal output cut where a no-break space holds two words together."""
    lines = [line.strip(" │┃|") for line in printed.splitlines()]
    return [line for line in lines
            if line.rstrip(" │").endswith("«") or line.lstrip(" │").startswith(tuple("»:;?!"))]


def test_the_terminal_does_not_break_lines_at_a_no_break_space() -> None:
    """Rich wraps at U+00A0 as at any space; the tool's console does not."""
    from rich.console import Console
    from rich.table import Table

    from cuf_extract.cli import _no_break_console_class

    sentence = french("Sans réponse à ce jour : 2 organisations (sur 8 sollicitées) ; "
                      "voir la feuille « Destinataires ».")
    outputs = {}
    for console_class in (Console, _no_break_console_class()):
        buffer = io.StringIO()
        console = console_class(file=buffer, width=80, highlight=False, soft_wrap=False)
        for indent in range(80):
            console.print("x" * indent + " " + sentence, markup=False)
        table = Table("Fichier", "Problème")
        table.add_row("reponses/parti.docx", sentence)
        console.print(table)
        outputs[console_class.__name__] = buffer.getvalue()
    assert _broken_at_a_no_break_space(outputs["Console"])  # what it fixes
    fixed = outputs["NoBreakConsole"]
    assert not _broken_at_a_no_break_space(fixed)
    assert NBSP in fixed and "\ufdd0" not in fixed  # the real U+00A0, no stand-in left
    assert all(len(line) <= 80 for line in fixed.splitlines())


def test_a_reply_s_own_characters_are_not_turned_into_spaces() -> None:
    from cuf_extract.cli import _no_break_console_class

    buffer = io.StringIO()
    console = _no_break_console_class()(file=buffer, width=80, highlight=False)
    console.print("privé \ue000, interne \ufdd0, insécable\u00a0:", markup=False)
    assert buffer.getvalue() == "privé \ue000, interne \ufffd, insécable\u00a0:\n"


def test_the_report_on_the_examples_follows_the_rule(examples_run: dict[str, object]) -> None:
    page = (Path(str(examples_run["folder"])) / "reponses-rapport.html").read_text("utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    respondents = cast(list[str], examples_run["respondents"])
    assert "Fichiers à vérifier" in text
    assert not violations(_tool_text(text, respondents)), violations(
        _tool_text(text, respondents))


def test_the_workbook_s_headers_and_comments_follow_the_rule(
    examples_run: dict[str, object],
) -> None:
    book = openpyxl.load_workbook(Path(str(examples_run["folder"])) / "reponses.xlsx")
    texts = []
    for sheet in book.worksheets:
        texts.append(sheet.title)
        for row in sheet.iter_rows(max_row=1):
            texts += [str(cell.value) for cell in row if cell.value is not None]
        for row in sheet.iter_rows():
            texts += [cell.comment.text for cell in row if cell.comment is not None]
    assert len(texts) > 20
    found = [v for text in texts for v in violations(_tool_text(text))]
    assert not found, "\n".join(found)


def _commands() -> list[str]:
    import typer.main

    from cuf_extract.cli import app

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["", *_commands()])
def test_help_follows_the_rule(command: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cuf_extract", *([command] if command else []), "--help"],
        capture_output=True, text=True, encoding="utf-8", check=False,
        env={"COLUMNS": "80", "PYTHONIOENCODING": "utf-8", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    assert not violations(done.stdout), violations(done.stdout)
