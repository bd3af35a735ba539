"""The documentation stays true to the tool: options, commands, issue codes, images, links.

These tests read the command line from the CLI object itself, so a new option or
subcommand fails here until docs/guide.md (and README.md) describe it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import typer.main

from cuf_extract.cli import app
from cuf_extract.models import IssueCode

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide.md"
README = ROOT / "README.md"
DEFAULT_COMMAND = "extraire"  # `cuf-extract FILES…` runs it
MAX_IMAGE_BYTES = 250_000

COMMAND = typer.main.get_command(app)
# The commands the help lists; the hidden ones are the former English names.
SUBCOMMANDS: dict[str, object] = {
    name: command for name, command in COMMAND.commands.items()  # type: ignore[attr-defined]
    if not command.hidden
}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _mentions(text: str, token: str) -> bool:
    """`token` as a whole option or word: "-o" is not found inside "--output"."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def _options() -> list[tuple[str, str]]:
    """(command, option) for every option of every subcommand, and of the group itself."""
    found = [("cuf-extract", opt) for p in COMMAND.params for opt in p.opts]
    for name, command in SUBCOMMANDS.items():
        for param in command.params:  # type: ignore[attr-defined]
            if param.param_type_name == "option":
                found.extend((name, opt) for opt in param.opts)
    return found


def test_the_cli_is_introspectable() -> None:
    assert DEFAULT_COMMAND in SUBCOMMANDS
    assert ("extraire", "--output") in _options()


@pytest.mark.parametrize(("command", "option"), _options())
def test_every_option_is_in_the_guide(command: str, option: str) -> None:
    assert _mentions(_text(GUIDE), option), (
        f"docs/guide.md does not mention `{option}` of `cuf-extract {command}`"
    )


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_is_in_the_guide(name: str) -> None:
    assert f"cuf-extract {name}" in _text(GUIDE), (
        f"docs/guide.md has no example of `cuf-extract {name}`"
    )


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_is_in_the_readme(name: str) -> None:
    assert f"cuf-extract {name}" in _text(README), (
        f"README.md does not mention `cuf-extract {name}`"
    )


@pytest.mark.parametrize("code", [code.value for code in IssueCode])
def test_every_issue_code_has_a_section_in_the_guide(code: str) -> None:
    headings = re.findall(r"^#{2,4} +(.+?) *$", _text(GUIDE), flags=re.M)
    assert code in headings, f"docs/guide.md has no `### {code}` section"


def _images(text: str) -> list[str]:
    markdown = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    html = re.findall(r"<img[^>]+src=[\"']([^\"']+)", text)
    return markdown + html


def test_the_guide_has_screenshots() -> None:
    assert len(_images(_text(GUIDE))) >= 3


@pytest.mark.parametrize("image", _images(_text(GUIDE)))
def test_every_image_of_the_guide_exists(image: str) -> None:
    path = GUIDE.parent / image
    assert path.is_file(), f"docs/guide.md shows {image}, which does not exist"
    assert path.stat().st_size <= MAX_IMAGE_BYTES, f"{image} is larger than 250 KB"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{image} is not a PNG"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces -> '-'."""
    heading = unicodedata.normalize("NFC", heading.strip().lower())
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def test_every_link_of_the_guide_leads_somewhere() -> None:
    text = _text(GUIDE)
    anchors = {_slug(h) for h in re.findall(r"^#{1,6} +(.+?) *$", text, flags=re.M)}
    for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        if target.startswith("#"):
            assert target[1:] in anchors, f"docs/guide.md links to a missing section {target}"
        else:
            assert (GUIDE.parent / target.split("#")[0]).exists(), (
                f"docs/guide.md links to a missing file {target}"
            )


def test_the_former_english_names_still_run_their_command() -> None:
    from cuf_extract.cli import ALIASES

    commands = COMMAND.commands  # type: ignore[attr-defined]
    for english, french in ALIASES.items():
        assert commands[english].hidden and not commands[french].hidden
        assert commands[english].callback.__name__ == commands[french].callback.__name__
        assert _mentions(_text(README), english) and _mentions(_text(GUIDE), english)
